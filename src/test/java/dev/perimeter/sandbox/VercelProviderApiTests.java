package dev.perimeter.sandbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.vercel.FakeVercel;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The {@code vercel} provider through Perimeter's API, against the fake Vercel Sandbox API: a create that meets a
 * vendor fault answers a problem, fails its row and gives its quota slot back; a sandbox Vercel made anyway is found and
 * deleted by the reconciler.
 */
class VercelProviderApiTests extends ApiTestSupport {

    private static final FakeVercel FAKE = new FakeVercel();

    @Autowired
    ProviderReconciler reconciler;

    @DynamicPropertySource
    static void vercel(DynamicPropertyRegistry registry) {
        registry.add("perimeter.providers.vercel.api-url", FAKE::baseUrl);
        registry.add("perimeter.providers.vercel.token", () -> FakeVercel.TOKEN);
        registry.add("perimeter.providers.vercel.team-id", () -> FakeVercel.TEAM);
        registry.add("perimeter.providers.vercel.project-id", () -> FakeVercel.PROJECT);
        registry.add("perimeter.providers.vercel.request-timeout", () -> "1s");
        registry.add("perimeter.providers.vercel.max-attempts", () -> "2");
        registry.add("perimeter.providers.vercel.snapshot-expiration", () -> "1d");
    }

    @AfterEach
    void clearFaults() {
        FAKE.clearFaults();
    }

    @AfterAll
    static void stopFake() {
        FAKE.close();
    }

    @Test
    void aCreateVercelAnswersTooLateFailsFreesTheSlotAndTheReconcilerDeletesWhatVercelMade() {
        TestTenant tenant = newTenantWithOneSlot();
        FAKE.wireMock()
                .stubFor(post(urlPathEqualTo("/v3/sandboxes"))
                        .atPriority(1)
                        .willReturn(aResponse().withFixedDelay(2_500).withTransformers(FakeVercel.ACTS)));
        FAKE.wireMock()
                .stubFor(delete(urlPathMatching("/v2/sandboxes/.*"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(503)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"error\":{\"code\":\"service_unavailable\",\"message\":\"try later\"}}")));

        Api.Response refused = create(tenant);

        assertProblem(refused, 503, "provider-unavailable");
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(refused.text()).doesNotContain(FakeVercel.TOKEN);
        JsonNode failed = onlySandbox(tenant);
        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(failed.get("endReason").asString()).startsWith("PROVIDER_ERROR");
        assertThat(activeSandboxes(tenant)).isZero();
        String orphan = failed.get("id").asString();
        assertThat(FAKE.has(orphan)).as("Vercel made the sandbox after all").isTrue();

        FAKE.clearFaults();
        await().atMost(Duration.ofSeconds(20)).until(reconciler::run);

        assertThat(FAKE.has(orphan)).isFalse();
        JsonNode second = createSandbox(tenant, Map.of("provider", "vercel", "region", "iad1"));
        assertThat(second.get("state").asString()).isEqualTo("RUNNING");
        assertThat(second.get("providerRef").asString())
                .isEqualTo(second.get("id").asString());
        assertThat(FAKE.has(second.get("id").asString())).isTrue();
        api.delete("/v1/sandboxes/" + second.get("id").asString())
                .key(tenant.key())
                .send();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !FAKE.has(second.get("id").asString()));
    }

    @Test
    void aCreateVercelRefusesAnswersProviderErrorWithVercelsMessageAndFreesTheSlot() {
        TestTenant tenant = newTenantWithOneSlot();
        FAKE.wireMock()
                .stubFor(post(urlPathEqualTo("/v3/sandboxes"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(400)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"error\":{\"code\":\"bad_request\",\"message\":\"vCPU limit reached"
                                        + " for this team\"}}")));

        Api.Response refused = create(tenant);

        assertProblem(refused, 502, "provider-error");
        assertThat(refused.json().get("detail").asString()).contains("bad_request: vCPU limit reached for this team");
        assertThat(onlySandbox(tenant).get("state").asString()).isEqualTo("FAILED");
        assertThat(activeSandboxes(tenant)).isZero();
        FAKE.clearFaults();
        JsonNode second = createSandbox(tenant, Map.of("provider", "vercel", "region", "iad1"));
        assertThat(second.get("state").asString()).isEqualTo("RUNNING");
        JsonNode echoed = exec(tenant, second.get("id").asString(), Map.of("command", java.util.List.of("echo", "hi")));
        assertThat(echoed.get("stdout").asString()).isEqualTo("hi\n");
        api.delete("/v1/sandboxes/" + second.get("id").asString())
                .key(tenant.key())
                .send();
    }

    @Test
    void aSnapshotExpiresWhenVercelDeletesIt() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of("provider", "vercel", "region", "iad1"))
                .get("id")
                .asString();

        JsonNode kept = snapshot(tenant, id, Map.of());
        JsonNode shorter = snapshot(tenant, id, Map.of("ttl", "PT1H"));

        assertThat(kept.get("persistence").asString()).isEqualTo("PERSISTENT");
        assertThat(Instant.parse(kept.get("expiresAt").asString()))
                .isBetween(
                        Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofDays(1)));
        assertThat(Instant.parse(shorter.get("expiresAt").asString()))
                .isBefore(Instant.now().plus(Duration.ofHours(2)));
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    private JsonNode snapshot(TestTenant tenant, String sandboxId, Map<String, Object> body) {
        Api.Response response = api.post("/v1/sandboxes/" + sandboxId + "/snapshots")
                .key(tenant.key())
                .json(body)
                .send();
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    private Api.Response create(TestTenant tenant) {
        return api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "vercel", "region", "iad1"))
                .send();
    }
}
