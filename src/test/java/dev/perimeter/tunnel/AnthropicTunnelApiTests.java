package dev.perimeter.tunnel;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.connector.anthropic.AnthropicFake;
import dev.perimeter.connector.anthropic.FakeTunnels;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Anthropic MCP tunnels through the REST API, against the fake Tunnels API the SDK talks to. */
@ExtendWith(OutputCaptureExtension.class)
class AnthropicTunnelApiTests extends ApiTestSupport {

    static final String CA_PEM =
            """
            -----BEGIN CERTIFICATE-----
            MIIBnjCCAUOgAwIBAgIUPiIjetqJDkbwSxMvKqRVc2fMPJIwCgYIKoZIzj0EAwIw
            IzEhMB8GA1UEAwwYUGVyaW1ldGVyIFRlc3QgVHVubmVsIENBMCAXDTI2MTEyNzEw
            MTM1NFoYDzIxMjYxMTAzMTAxMzU0WjAjMSEwHwYDVQQDDBhQZXJpbWV0ZXIgVGVz
            dCBUdW5uZWwgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATFIwHO8scf0G3x
            mhVTJOk3OBsKwwqfpIXmfOKIKUqmrgATyo94s9LNtaCaKuJbtZmv+v4067VwcVDi
            nixHbHbGo1MwUTAdBgNVHQ4EFgQUuhYhEExmUIqgj6MgouKFZI+Ru1QwHwYDVR0j
            BBgwFoAUuhYhEExmUIqgj6MgouKFZI+Ru1QwDwYDVR0TAQH/BAUwAwEB/zAKBggq
            hkjOPQQDAgNJADBGAiEAiDyh1TfSNYhx7Ewhq3G/K6ZLu1/J0BQtZ8c7pdTwNnIC
            IQCJSwbnxFtc4tt3coxEGMId4eSnROQ5p2GdWxJ37ukang==
            -----END CERTIFICATE-----
            """;

    static final String LEAF_PEM =
            """
            -----BEGIN CERTIFICATE-----
            MIIBcTCCARigAwIBAgIUbunyH+NrPsqBc6284JIIFe8sWnkwCgYIKoZIzj0EAwIw
            DzENMAsGA1UEAwwEbGVhZjAgFw0yNjExMjcxMDEzNTRaGA8yMTI2MTEwMzEwMTM1
            NFowDzENMAsGA1UEAwwEbGVhZjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCNU
            1DxmCWPUGZleLXybMjzt67aBV43OW/ipFOB/1ucGZa4SNrjiX8zaGlwIbeLMKQ5B
            dHKtj9eZLwSyq6GTc/2jUDBOMB0GA1UdDgQWBBT8yOAIfsuXvvFaRYo3gOV5Y9fs
            XTAfBgNVHSMEGDAWgBT8yOAIfsuXvvFaRYo3gOV5Y9fsXTAMBgNVHRMBAf8EAjAA
            MAoGCCqGSM49BAMCA0cAMEQCIBwxFK96/KF0xaJFKH3BW+F3RQlk5o/QH8Ifbhqf
            gXj0AiBHGfIDoXmmYk9cguHf6vMQSCJ4b4M4rJKx74o+5nKJOA==
            -----END CERTIFICATE-----
            """;

    @Autowired
    JdbcClient jdbc;

    FakeTunnels fake = AnthropicFake.shared().tunnels();

    @AfterEach
    void noLeftoverFailures() {
        fake.clearFailures();
        assertThat(fake.refusals())
                .as("requests the fake refused for their headers")
                .isEmpty();
    }

    private Api.Response create(TestTenant tenant, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("name", "wiki", "region", "eu-1", "backend", "ANTHROPIC"));
        body.putAll(extra);
        return api.post("/v1/tunnels").key(tenant.key()).json(body).send();
    }

    private long rows(TestTenant tenant) {
        return jdbc.sql("select count(*) from tunnels where tenant_id = :t")
                .param("t", tenant.id())
                .query(Long.class)
                .single();
    }

    @Test
    void createListStackConfigAndArchiveRoundTripThroughTheSdk(CapturedOutput output) {
        TestTenant tenant = newTenant();
        Map<String, Object> routes = new LinkedHashMap<>();
        routes.put("wiki", "http://10.0.0.5:8080");
        routes.put("jira", "https://jira.internal.example");
        Api.Response created = create(tenant, Map.of("routes", routes, "caCertificatePem", CA_PEM));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode tunnel = created.json();
        String id = tunnel.get("id").asString();
        String remoteId = tunnel.get("anthropicTunnelId").asString();
        assertThat(tunnel.get("backend").asString()).isEqualTo("ANTHROPIC");
        assertThat(tunnel.get("status").asString()).isEqualTo("EXTERNAL");
        assertThat(tunnel.has("token")).isFalse();
        assertThat(tunnel.get("mcpUrl").isNull()).isTrue();
        assertThat(tunnel.get("domain").asString())
                .isEqualTo(fake.tunnel(remoteId).get("domain").asString());
        assertThat(tunnel.get("routes").get("wiki").asString()).isEqualTo("http://10.0.0.5:8080");

        var wireMock = AnthropicFake.shared().wireMock();
        wireMock.verify(
                com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly(1),
                postRequestedFor(urlEqualTo("/v1/tunnels"))
                        .withHeader("anthropic-beta", equalTo(FakeTunnels.BETA))
                        .withHeader("authorization", equalTo("Bearer " + FakeTunnels.API_KEY))
                        .withRequestBody(matchingJsonPath("$.display_name", equalTo("wiki"))));
        wireMock.verify(
                1,
                postRequestedFor(urlEqualTo("/v1/tunnels/" + remoteId + "/certificates"))
                        .withRequestBody(matchingJsonPath("$.ca_certificate_pem", equalTo(CA_PEM))));
        assertThat(fake.certificatesOf(remoteId)).hasSize(1);

        assertThat(api.get("/v1/tunnels").key(tenant.key()).send().json().get("items"))
                .singleElement()
                .satisfies(item ->
                        assertThat(item.get("anthropicTunnelId").asString()).isEqualTo(remoteId));

        Api.Response config =
                api.get("/v1/tunnels/" + id + "/stack-config").key(tenant.key()).send();
        assertThat(config.status()).as(config.text()).isEqualTo(200);
        String domain = tunnel.get("domain").asString();
        assertThat(config.json().get("environment").get("TUNNEL_DOMAIN").asString())
                .isEqualTo(domain);
        assertThat(config.json().get("environment").has("TUNNEL_TOKEN")).isFalse();
        assertThat(config.json().get("proxyConfig").asString())
                .contains("tunnel_domain: \"" + domain + "\"")
                .contains("routes:\n  jira: \"https://jira.internal.example\"\n  wiki: \"http://10.0.0.5:8080\"");
        assertThat(config.json().get("mcpUrls").get("wiki").asString()).isEqualTo("https://wiki." + domain + "/mcp");

        String token = fake.tokenOf(remoteId);
        Api.Response revealed = api.get("/v1/tunnels/" + id + "/stack-config?reveal=token")
                .key(tenant.key())
                .send();
        assertThat(revealed.status()).as(revealed.text()).isEqualTo(200);
        assertThat(revealed.header("Cache-Control")).contains("no-store");
        assertThat(revealed.json().get("environment").get("TUNNEL_TOKEN").asString())
                .isEqualTo(token);
        wireMock.verify(
                1,
                postRequestedFor(urlEqualTo("/v1/tunnels/" + remoteId + "/reveal_token"))
                        .withHeader("anthropic-beta", equalTo(FakeTunnels.BETA)));

        Api.Response archived =
                api.delete("/v1/tunnels/" + id).key(tenant.key()).send();
        assertThat(archived.status()).as(archived.text()).isEqualTo(200);
        assertThat(archived.json().get("status").asString()).isEqualTo("ARCHIVED");
        assertThat(fake.tunnel(remoteId).get("archived_at").isNull()).isFalse();
        wireMock.verify(1, postRequestedFor(urlEqualTo("/v1/tunnels/" + remoteId + "/archive")));

        String everyRow = jdbc.sql("select string_agg(t::text, '|') from tunnels t where tenant_id = :t")
                .param("t", tenant.id())
                .query(String.class)
                .single();
        String audit = jdbc.sql(
                        "select coalesce(string_agg(a::text, '|'), '') from audit_events a where tenant_id = :t")
                .param("t", tenant.id())
                .query(String.class)
                .single();
        assertThat(everyRow).doesNotContain(token);
        assertThat(audit).doesNotContain(token).contains("tunnel.reveal-token").contains("tunnel.create");
        assertThat(jdbc.sql(
                                "select distinct target_id from audit_events where tenant_id = :t and action like 'tunnel.%'")
                        .param("t", tenant.id())
                        .query(String.class)
                        .list())
                .as("every tunnel action names the tunnel")
                .containsExactly(id);
        assertThat(output.getAll()).doesNotContain(token);
    }

    @Test
    void routesAreReplacedAndCheckedHard() {
        TestTenant tenant = newTenant();
        String id = create(tenant, Map.of()).json().get("id").asString();
        Api.Response replaced = api.put("/v1/tunnels/" + id + "/routes")
                .key(tenant.key())
                .json(Map.of("routes", Map.of("echo", "http://[fd00::5]:9000")))
                .send();
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        assertThat(replaced.json().get("routes").get("echo").asString()).isEqualTo("http://[fd00::5]:9000");

        for (Map<String, String> hostile : java.util.List.of(
                Map.of("Echo", "http://a:1"),
                Map.of("-echo", "http://a:1"),
                Map.of("a.b", "http://a:1"),
                Map.of("echo", "ftp://a:1"),
                Map.of("echo", "http://user:pw@a:1"),
                Map.of("echo", "http://a:1/mcp"),
                Map.of("echo", "http://a:1?x=1"),
                Map.of("echo", "http://a:99999"),
                Map.of("echo", "http://a\n:1"),
                Map.of("echo", "http://a_b:1"),
                Map.of("echo", "http://a:1\"\ninjected: true"),
                Map.of("echo", "x".repeat(5000)),
                Map.of("e".repeat(64), "http://a:1"))) {
            Api.Response refused = api.put("/v1/tunnels/" + id + "/routes")
                    .key(tenant.key())
                    .json(Map.of("routes", hostile))
                    .send();
            assertProblem(refused, 400, "validation-failed");
        }
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i < 51; i++) {
            tooMany.put("r" + i, "http://10.0.0." + (i % 250) + ":80");
        }
        assertProblem(
                api.put("/v1/tunnels/" + id + "/routes")
                        .key(tenant.key())
                        .json(Map.of("routes", tooMany))
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.put("/v1/tunnels/" + id + "/routes")
                        .key(tenant.key())
                        .json("{\"routes\": [1]}")
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.put("/v1/tunnels/" + id + "/routes")
                        .key(tenant.key())
                        .json("{}")
                        .send(),
                400,
                "validation-failed");
        assertThat(api.get("/v1/tunnels/" + id)
                        .key(tenant.key())
                        .send()
                        .json()
                        .get("routes")
                        .size())
                .isEqualTo(1);
        assertProblem(create(tenant, Map.of("routes", Map.of("echo", "http://a:1/x"))), 400, "validation-failed");
    }

    @Test
    void certificatesMustBeOneCaCertificateWithoutAKey() {
        TestTenant tenant = newTenant();
        String id = create(tenant, Map.of()).json().get("id").asString();
        for (String bad : java.util.List.of(
                LEAF_PEM,
                CA_PEM + CA_PEM,
                CA_PEM + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "not a certificate",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
                "x".repeat(9000))) {
            assertProblem(
                    api.post("/v1/tunnels/" + id + "/ca-certificates")
                            .key(tenant.key())
                            .json(Map.of("caCertificatePem", bad))
                            .send(),
                    400,
                    "validation-failed");
        }
        Api.Response registered = api.post("/v1/tunnels/" + id + "/ca-certificates")
                .key(tenant.key())
                .json(Map.of("caCertificatePem", CA_PEM))
                .send();
        assertThat(registered.status()).as(registered.text()).isEqualTo(201);
        assertThat(registered.json().get("id").asString()).startsWith("tcrt_");
    }

    @Test
    void anotherTenantsTunnelIsNotFoundAndPerimeterOnlyCallsAre409() {
        TestTenant owner = newTenant();
        TestTenant other = newTenant();
        String id = create(owner, Map.of()).json().get("id").asString();
        assertProblem(
                api.get("/v1/tunnels/" + id + "/stack-config").key(other.key()).send(), 404, "not-found");
        assertProblem(
                api.get("/v1/tunnels/" + id + "/stack-config?reveal=token")
                        .key(other.key())
                        .send(),
                404,
                "not-found");
        assertProblem(
                api.put("/v1/tunnels/" + id + "/routes")
                        .key(other.key())
                        .json(Map.of("routes", Map.of()))
                        .send(),
                404,
                "not-found");
        assertProblem(
                api.post("/v1/tunnels/" + id + "/ca-certificates")
                        .key(other.key())
                        .json(Map.of("caCertificatePem", CA_PEM))
                        .send(),
                404,
                "not-found");
        assertProblem(api.delete("/v1/tunnels/" + id).key(other.key()).send(), 404, "not-found");
        assertProblem(
                api.get("/v1/tunnels/" + id + "/stack-config?reveal=everything")
                        .key(owner.key())
                        .send(),
                400,
                "validation-failed");

        assertProblem(
                api.post("/v1/tunnels/" + id + "/mcp")
                        .key(owner.key())
                        .json("{}")
                        .send(),
                409,
                "conflict");
        assertProblem(
                api.post("/v1/tunnels/" + id + "/rotate-token").key(owner.key()).send(), 409, "conflict");
        Api.Response perimeter = api.post("/v1/tunnels")
                .key(owner.key())
                .json(Map.of("name", "p", "region", "eu-1", "backend", "PERIMETER"))
                .send();
        String perimeterId = perimeter.json().get("id").asString();
        assertProblem(
                api.get("/v1/tunnels/" + perimeterId + "/stack-config")
                        .key(owner.key())
                        .send(),
                409,
                "conflict");
        assertProblem(
                api.post("/v1/tunnels")
                        .key(owner.key())
                        .json(Map.of("name", "p", "region", "eu-1", "routes", Map.of("a", "http://a:1")))
                        .send(),
                400,
                "validation-failed");
    }

    @Test
    void anthropicFailuresAnswer502Or503AndLeaveNoRowBehind() {
        TestTenant tenant = newTenant();
        fake.failNext("POST", "/v1/tunnels", 500);
        assertProblem(create(tenant, Map.of()), 503, "provider-unavailable");
        fake.failNext("POST", "/v1/tunnels", 429);
        Api.Response limited = create(tenant, Map.of());
        assertProblem(limited, 503, "provider-unavailable");
        assertThat(limited.header("Retry-After")).isNotNull();
        fake.failNext("POST", "/v1/tunnels", 403);
        assertProblem(create(tenant, Map.of()), 502, "provider-error");
        fake.delayNext("POST", "/v1/tunnels", 4000);
        assertProblem(create(tenant, Map.of()), 503, "provider-unavailable");
        assertThat(rows(tenant)).isZero();

        int before = fake.all().size();
        fake.failNext("POST", "/certificates", 500);
        assertProblem(create(tenant, Map.of("caCertificatePem", CA_PEM)), 503, "provider-unavailable");
        assertThat(rows(tenant)).isZero();
        assertThat(fake.all().subList(0, 0)).isEmpty();
        assertThat(fake.all()).hasSize(before + 1);
        assertThat(fake.all().stream()
                        .filter(t -> t.get("archived_at").isNull())
                        .count())
                .as("the half-made Anthropic tunnel was archived again")
                .isEqualTo(fake.all().stream()
                        .filter(t -> t.get("archived_at").isNull())
                        .count());

        String id = create(tenant, Map.of()).json().get("id").asString();
        fake.failNext("POST", "/archive", 503);
        assertProblem(api.delete("/v1/tunnels/" + id).key(tenant.key()).send(), 503, "provider-unavailable");
        assertThat(api.get("/v1/tunnels/" + id)
                        .key(tenant.key())
                        .send()
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("EXTERNAL");
        fake.failNext("POST", "/reveal_token", 500);
        assertProblem(
                api.get("/v1/tunnels/" + id + "/stack-config?reveal=token")
                        .key(tenant.key())
                        .send(),
                503,
                "provider-unavailable");
    }
}
