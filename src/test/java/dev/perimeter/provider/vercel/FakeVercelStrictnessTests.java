package dev.perimeter.provider.vercel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.http.VendorHttp;
import dev.perimeter.shared.Ids;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The fake refuses what Vercel would, in Vercel's error shape, so a provider bug — a wrong unit, field or parameter —
 * fails a test instead of passing against a lenient fake.
 */
class FakeVercelStrictnessTests {

    private static final String VALID_CREATE = "{\"projectId\":\"" + FakeVercel.PROJECT + "\",\"name\":\"sbx_ok\","
            + "\"ports\":[],\"timeout\":900000,\"resources\":{\"vcpus\":1},\"networkPolicy\":{\"mode\":\"deny-all\"},"
            + "\"region\":\"iad1\"}";

    private final FakeVercel fake = new FakeVercel();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void aWellFormedCreateIsAccepted() throws Exception {
        HttpResponse<String> response =
                post("/v3/sandboxes?teamId=" + FakeVercel.TEAM, VALID_CREATE, "Bearer " + FakeVercel.TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = StrictJson.JSON.readTree(response.body());
        assertThat(body.path("session").path("status").asString()).isEqualTo("running");
        assertThat(body.path("sandbox").path("name").asString()).isEqualTo("sbx_ok");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // timeout in seconds instead of milliseconds
                "{\"projectId\":\"" + FakeVercel.PROJECT + "\",\"name\":\"a\",\"timeout\":900}",
                // resources named as Perimeter names them
                "{\"projectId\":\"" + FakeVercel.PROJECT + "\",\"name\":\"a\",\"resources\":{\"cpu\":1}}",
                // a field Vercel does not take
                "{\"projectId\":\"" + FakeVercel.PROJECT + "\",\"name\":\"a\",\"labels\":{\"x\":\"y\"}}",
                // Perimeter's egress mode instead of a network policy
                "{\"projectId\":\"" + FakeVercel.PROJECT
                        + "\",\"name\":\"a\",\"networkPolicy\":{\"mode\":\"DENY_ALL\"}}",
                // more than five tags
                "{\"projectId\":\"" + FakeVercel.PROJECT + "\",\"name\":\"a\",\"tags\":{\"a\":\"1\",\"b\":\"2\","
                        + "\"c\":\"3\",\"d\":\"4\",\"e\":\"5\",\"f\":\"6\"}}",
                // a region Vercel does not have
                "{\"projectId\":\"" + FakeVercel.PROJECT + "\",\"name\":\"a\",\"region\":\"eu-west-1\"}"
            })
    void malformedCreatesAreRefusedInVercelsErrorShape(String body) throws Exception {
        HttpResponse<String> response =
                post("/v3/sandboxes?teamId=" + FakeVercel.TEAM, body, "Bearer " + FakeVercel.TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = StrictJson.JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asString()).isEqualTo("bad_request");
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(fake.names()).isEmpty();
    }

    @Test
    void aCallWithoutTeamIdIsRefused() throws Exception {
        HttpResponse<String> response = post("/v3/sandboxes", VALID_CREATE, "Bearer " + FakeVercel.TOKEN);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("teamId");
    }

    @Test
    void aCallWithAnotherTokenOrNoneIsForbidden() throws Exception {
        assertThat(post("/v3/sandboxes?teamId=" + FakeVercel.TEAM, VALID_CREATE, "Bearer wrong-token")
                        .statusCode())
                .isEqualTo(403);
        assertThat(post("/v3/sandboxes?teamId=" + FakeVercel.TEAM, VALID_CREATE, null)
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void aJsonBodySentAsTextIsRefused() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(fake.baseUrl() + "/v3/sandboxes?teamId=" + FakeVercel.TEAM))
                .header("Authorization", "Bearer " + FakeVercel.TOKEN)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(VALID_CREATE))
                .build();

        assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(400);
    }

    @Test
    void theListTakesProjectNotProjectId() throws Exception {
        HttpResponse<String> wrong =
                get("/v2/sandboxes?teamId=" + FakeVercel.TEAM + "&projectId=" + FakeVercel.PROJECT);
        HttpResponse<String> right = get("/v2/sandboxes?teamId=" + FakeVercel.TEAM + "&project=" + FakeVercel.PROJECT);

        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).contains("\"pagination\"");
    }

    @Test
    void aProviderSpeakingForTheWrongTeamFailsInsteadOfPassing() {
        VercelProviderProperties wrongTeam = new VercelProviderProperties(
                FakeVercel.TOKEN,
                "",
                "team_someone_else",
                FakeVercel.PROJECT,
                URI.create(fake.baseUrl()),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                1,
                Duration.ofHours(5),
                Duration.ZERO);
        VendorHttp vendor = new VendorHttp(
                "vercel", VendorHttp.Settings.defaults(), () -> Map.of("Authorization", "Bearer " + FakeVercel.TOKEN));
        VercelSandboxProvider provider = new VercelSandboxProvider(new VercelApi(vendor, wrongTeam), wrongTeam);

        assertThatThrownBy(() -> provider.create(new SandboxSpec(
                        Ids.next("sbx"),
                        "t",
                        "c",
                        "iad1",
                        null,
                        new SandboxSpec.Resources(1, 512, null),
                        SandboxSpec.Egress.denyAll(),
                        Map.of(),
                        Map.of(),
                        Duration.ofMinutes(5),
                        null)))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("403");
    }

    private HttpResponse<String> post(String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
                        .header("Authorization", "Bearer " + FakeVercel.TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
