package dev.perimeter.sandbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.perimeter.provider.cloudflare.CloudflareBridgeFake;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The cloudflare provider through Perimeter's REST API, against the fake bridge with a one-second client timeout: a
 * create the bridge fails answers a problem, leaves a {@code FAILED} row and gives the quota slot back, and a sandbox
 * the bridge made after Perimeter gave up is destroyed by the reconciler; exec streams through; a stream that dies
 * mid-exec ends the caller's event stream with an {@code error} event.
 */
class CloudflareProviderApiTests extends ApiTestSupport {

    private static final String TOKEN = "api-test-bridge-token-0123456789";
    private static final CloudflareBridgeFake BRIDGE = new CloudflareBridgeFake(TOKEN).start();
    private static final Map<String, Object> ON_CLOUDFLARE =
            Map.of("provider", "cloudflare", "egress", Map.of("mode", "ALLOW_ALL"));

    @Autowired
    ProviderReconciler reconciler;

    @DynamicPropertySource
    static void bridge(DynamicPropertyRegistry registry) {
        registry.add("perimeter.providers.cloudflare.bridge-url", BRIDGE::baseUrl);
        registry.add("perimeter.providers.cloudflare.bridge-token", () -> TOKEN);
        registry.add("perimeter.providers.cloudflare.request-timeout", () -> "1s");
        registry.add("perimeter.providers.cloudflare.start-timeout", () -> "1s");
        registry.add("perimeter.providers.cloudflare.exec-grace", () -> "2s");
    }

    @AfterEach
    void removeFaults() {
        BRIDGE.server().getStubMappings().stream()
                .filter(stub -> stub.getPriority() != null && stub.getPriority() == 1)
                .map(StubMapping::getId)
                .toList()
                .forEach(id -> BRIDGE.server().removeStubMapping(BRIDGE.server().getSingleStubMapping(id)));
    }

    @Test
    void aCreateThatStallsFailsFreesItsSlotAndTheLateSandboxIsReconciledAway() {
        TestTenant tenant = newTenantWithOneSlot();
        BRIDGE.server()
                .stubFor(put(urlPathMatching("/v1/sandbox/[a-z2-7]+/file/workspace/\\.perimeter/env"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withTransformers(CloudflareBridgeFake.TRANSFORMER)
                                .withFixedDelay(2500)));
        BRIDGE.server()
                .stubFor(delete(urlPathMatching("/v1/sandbox/[a-z2-7]+"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(500)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"error\":\"pool error: busy\",\"code\":\"pool_error\"}")));

        Api.Response refused =
                api.post("/v1/sandboxes").key(tenant.key()).json(ON_CLOUDFLARE).send();

        assertProblem(refused, 503, "provider-unavailable");
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(refused.text()).doesNotContain(TOKEN);
        JsonNode failed = onlySandbox(tenant);
        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(failed.get("endReason").asString()).startsWith("PROVIDER_ERROR");
        assertThat(activeSandboxes(tenant)).isZero();
        String bridgeId = CloudflareBridgeFake.bridgeId(failed.get("id").asString());
        assertThat(BRIDGE.has(bridgeId))
                .as("the bridge made the sandbox after Perimeter gave up")
                .isTrue();

        removeFaults();
        await().atMost(Duration.ofSeconds(10)).until(reconciler::run);

        assertThat(BRIDGE.has(bridgeId)).isFalse();
        String second = createSandbox(tenant, ON_CLOUDFLARE).get("id").asString();
        assertThat(activeSandboxes(tenant)).isEqualTo(1);
        api.delete("/v1/sandboxes/" + second).key(tenant.key()).send();
    }

    @Test
    void aBridgeThatRefusesTheCreateAnswersProviderErrorAndFreesTheSlot() {
        TestTenant tenant = newTenantWithOneSlot();
        BRIDGE.server()
                .stubFor(put(urlPathMatching("/v1/sandbox/[a-z2-7]+/file/workspace/\\.perimeter/env"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(401)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"error\":\"Unauthorized\",\"code\":\"unauthorized\"}")));

        Api.Response refused =
                api.post("/v1/sandboxes").key(tenant.key()).json(ON_CLOUDFLARE).send();

        assertProblem(refused, 502, "provider-error");
        assertThat(refused.json().get("detail").asString()).contains("Unauthorized");
        assertThat(onlySandbox(tenant).get("state").asString()).isEqualTo("FAILED");
        assertThat(activeSandboxes(tenant)).isZero();
        removeFaults();
        String second = createSandbox(tenant, ON_CLOUDFLARE).get("id").asString();
        api.delete("/v1/sandboxes/" + second).key(tenant.key()).send();
    }

    @Test
    void execStreamsThroughAndFilesRoundTrip() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, ON_CLOUDFLARE).get("id").asString();
        assertThat(api.put("/v1/sandboxes/" + id + "/files?path=notes/a.txt")
                        .key(tenant.key())
                        .bytes("hello".getBytes())
                        .send()
                        .status())
                .isEqualTo(204);

        Api.Response stream = api.post("/v1/sandboxes/" + id + "/exec")
                .key(tenant.key())
                .header("Accept", "text/event-stream")
                .json(Map.of("command", List.of("sh", "-c", "cat notes/a.txt; echo; echo two >&2; exit 4")))
                .send();

        String events = stream.text();
        assertThat(events).contains("event:stdout").contains("\"data\":\"hello");
        assertThat(events).contains("event:stderr").contains("\"data\":\"two\\n\"");
        assertThat(events).contains("event:exit").contains("\"exitCode\":4");
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    @Test
    void aStreamThatDiesMidExecEndsTheCallersStreamWithAnErrorEvent() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, ON_CLOUDFLARE).get("id").asString();
        String bridgeId = CloudflareBridgeFake.bridgeId(id);
        String chunk = Base64.getEncoder().encodeToString("working\n".getBytes());
        BRIDGE.server()
                .stubFor(post(urlPathEqualTo("/v1/sandbox/" + bridgeId + "/exec"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withHeader("Content-Type", "text/event-stream")
                                .withBody("event: stdout\ndata: " + chunk + "\n\nevent: stdout\ndata: d29y")
                                .withChunkedDribbleDelay(3, 30)));

        Api.Response stream = api.post("/v1/sandboxes/" + id + "/exec")
                .key(tenant.key())
                .header("Accept", "text/event-stream")
                .json(Map.of("command", List.of("sh", "-c", "echo working; sleep 1; echo done")))
                .send();

        String events = stream.text();
        assertThat(events).contains("event:stdout").contains("\"data\":\"working\\n\"");
        assertThat(events).contains("event:error").contains("provider-unavailable");
        assertThat(events).doesNotContain("event:exit");
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }
}
