package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The relay's HTTP edge: who may call a tunnel's MCP endpoint, and how a call that is refused is answered. Each
 * refusal is checked with an agent connected, so a call that slipped through would reach the private server and come
 * back as its answer instead of a problem.
 */
class McpRelayEdgeTests extends TunnelTestSupport {

    private static final String INITIALIZE =
            """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",\
            "capabilities":{},"clientInfo":{"name":"edge-test","version":"1"}}}""";

    @Autowired
    MeterRegistry meters;

    @Test
    void callersWithoutTheTenantsKeyGetProblemsAndReachNothing() {
        Registered tunnel = register(newTenant());
        Registered other = register(newTenant());
        connectedAgent(tunnel);
        double rejectedBefore = rejections();

        assertProblem(call(tunnel).send(), 401, "unauthorized");
        assertProblem(call(tunnel).key("pmk_unknown_key").send(), 401, "unauthorized");
        assertProblem(call(tunnel).header("X-Perimeter-Key", "garbage").send(), 401, "unauthorized");
        assertThat(rejections() - rejectedBefore)
                .as("refused bearer keys counted")
                .isEqualTo(2);
        assertProblem(call(tunnel).key(ADMIN_KEY).send(), 403, "forbidden");
        assertProblem(call(tunnel).key(other.tenant().key()).send(), 404, "not-found");
        assertProblem(
                api.post("/v1/tunnels/tnl_doesnotexist0000000/mcp")
                        .key(tunnel.tenant().key())
                        .json(INITIALIZE)
                        .send(),
                404,
                "not-found");
        assertProblem(
                api.post("/internal/tunnels/" + tunnel.id() + "/mcp")
                        .header("X-Perimeter-Replica-Secret", "guess")
                        .json(INITIALIZE)
                        .send(),
                404,
                "not-found");

        assertThat(call(tunnel).key(tunnel.tenant().key()).send().status())
                .as("the tenant's own key is relayed")
                .isEqualTo(200);
    }

    @Test
    void aRevokedKeyIsRefusedFromTheNextCall() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        String key = tunnel.tenant().key();
        assertThat(call(tunnel).key(key).send().status()).isEqualTo(200);
        String keyId = firstKeyId(tunnel.tenant());

        assertThat(api.delete("/v1/tenants/" + tunnel.tenant().id() + "/api-keys/" + keyId)
                        .key(ADMIN_KEY)
                        .send()
                        .status())
                .isEqualTo(200);

        assertProblem(call(tunnel).key(key).send(), 401, "unauthorized");
        assertProblem(call(tunnel).header("X-Perimeter-Key", key).send(), 401, "unauthorized");
    }

    @Test
    void aMethodMcpDoesNotUseIsRefusedOnlyOnceTheKeyIsKnown() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);

        assertProblem(api.put(tunnel.mcpPath()).json("{}").send(), 401, "unauthorized");
        Api.Response put =
                api.put(tunnel.mcpPath()).key(tunnel.tenant().key()).json("{}").send();
        assertProblem(put, 405, "method-not-allowed");
        assertThat(put.header("Allow")).contains("GET", "POST", "DELETE");
    }

    @Test
    void aControlCharacterInAHeaderBoundForThePrivateServerIsRefused() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);

        String answer = api.raw("POST " + tunnel.mcpPath() + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + tunnel.tenant().key() + "\r\nContent-Type: application/json\r\nAccept: application/json, "
                + "text/event-stream\r\nMcp-Session-Id: a\u0001b\r\nContent-Length: " + INITIALIZE.length()
                + "\r\nConnection: close\r\n\r\n" + INITIALIZE);

        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
    }

    @Test
    void aPathWithMoreThanATunnelIdIsNotRelayedButMeetsTheFirewall() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        String key = tunnel.tenant().key();

        assertProblem(
                api.post("/v1/tunnels/" + tunnel.id() + "%2F..%2F/mcp")
                        .key(key)
                        .json(INITIALIZE)
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.post("/v1/tunnels/" + tunnel.id() + ";x=y/mcp")
                        .key(key)
                        .json(INITIALIZE)
                        .send(),
                400,
                "validation-failed");
        assertThat(api.post("/v1/tunnels/" + tunnel.id() + ".json/mcp")
                        .key(key)
                        .json(INITIALIZE)
                        .send()
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aRelayedCallCarriesItsCorrelationIdAndCountsInTheTunnelMetrics() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        double completedBefore = completedStreams();

        Api.Response answer = call(tunnel)
                .key(tunnel.tenant().key())
                .header("X-Correlation-Id", "edge-test-1")
                .send();

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("X-Correlation-Id")).isEqualTo("edge-test-1");
        assertThat(upstream.correlationIds).contains("edge-test-1");
        assertThat(completedStreams()).isGreaterThan(completedBefore);
        assertThat(meters.find("http.server.requests").timers())
                .as("relayed calls are not http.server.requests")
                .noneMatch(timer -> String.valueOf(timer.getId().getTag("uri")).endsWith("/mcp"));
    }

    @Test
    void aTunnelWithoutAnAgentAnswers503AtOnce() {
        Registered tunnel = register(newTenant());

        assertProblem(call(tunnel).key(tunnel.tenant().key()).send(), 503, "tunnel-unavailable");
    }

    @Test
    void theRelayIsDocumentedWithItsOwnProblems() {
        tools.jackson.databind.JsonNode relay =
                api.get("/v3/api-docs").send().json().at("/paths/~1v1~1tunnels~1{tunnelId}~1mcp");

        for (String method : java.util.List.of("post", "get", "delete")) {
            assertThat(relay.at("/" + method + "/responses/503/description").asString())
                    .as(method)
                    .contains("https://perimeter.dev/problems/tunnel-unavailable");
            assertThat(relay.at("/" + method + "/responses/401/description").asString())
                    .as(method)
                    .contains("https://perimeter.dev/problems/unauthorized");
        }
        assertThat(relay.at("/post/responses/413/description").asString()).contains("payload-too-large");
        assertThat(relay.at("/get/parameters").findValuesAsString("name"))
                .as("a client resumes an event stream with a GET")
                .contains("Last-Event-ID");
        assertThat(relay.at("/post/parameters").findValuesAsString("name")).doesNotContain("Last-Event-ID");
    }

    private Api.Call call(Registered tunnel) {
        return api.post(tunnel.mcpPath())
                .header("Accept", "application/json, text/event-stream")
                .json(INITIALIZE);
    }

    private double rejections() {
        Counter counter = meters.find("perimeter.auth.rejections").counter();
        return counter == null ? 0 : counter.count();
    }

    private double completedStreams() {
        Counter counter = meters.find("perimeter.tunnel.streams")
                .tag("outcome", "completed")
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
