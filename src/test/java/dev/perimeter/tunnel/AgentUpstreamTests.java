package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What a caller sees when the private MCP server behind the agent cannot be reached or fails mid-response. */
class AgentUpstreamTests extends TunnelTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anUnreachableUpstreamAnswers502FromTheAgentWithTheCallsCorrelationId() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Registered tunnel = register(newTenant());
        agent(tunnel, "http://127.0.0.1:" + closedPort + "/mcp", 1);
        awaitConnections(tunnel, 1);

        HttpResponse<String> response = http.send(
                call(tunnel, "")
                        .header("X-Correlation-Id", "corr-unreachable-1")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body())
                .contains("tunnel-upstream-unreachable")
                .contains("corr-unreachable-1")
                .doesNotContain(tunnel.token());
    }

    @Test
    void anUpstreamThatFailsMidResponseTruncatesTheBodyVisiblyAndTheNextCallSucceeds() throws Exception {
        Registered tunnel = register(newTenant());
        agent(tunnel, upstream.rawUrl(), 1);
        awaitConnections(tunnel, 1);

        HttpResponse<InputStream> broken =
                http.send(call(tunnel, "?breaks").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(broken.statusCode()).isEqualTo(200);
        try (InputStream body = broken.body()) {
            assertThatThrownBy(body::readAllBytes)
                    .as("a truncated body is an error, not a short success")
                    .isInstanceOf(IOException.class);
        }

        HttpResponse<byte[]> next =
                http.send(call(tunnel, "?bytes=100000").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).hasSize(100_000);
    }

    @Test
    void sequentialCallsReuseTheUpstreamConnection() throws Exception {
        Registered tunnel = register(newTenant());
        agent(tunnel, upstream.rawUrl(), 1);
        awaitConnections(tunnel, 1);

        java.util.Set<String> peers = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response =
                    http.send(call(tunnel, "?bytes=10").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            peers.add(upstream.raw.lastPeer);
        }
        assertThat(peers).as("the agent's source ports seen by the upstream").hasSize(1);
    }

    private HttpRequest.Builder call(Registered tunnel, String query) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + tunnel.mcpPath() + query))
                .header("Authorization", "Bearer " + tunnel.tenant().key());
    }
}
