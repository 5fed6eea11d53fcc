package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.support.Api;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The first "done when": the official MCP Java SDK's client in front of the relay, its Streamable HTTP server
 * behind the agent, and everything MCP needs arrives unchanged.
 */
class McpThroughTunnelTests extends TunnelTestSupport {

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void sdkClientInitializesListsAndCallsToolsWithProgressInOrderOnOneSession() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        McpSyncClient client = client(tunnel, progress::add);

        McpSchema.InitializeResult initialized = client.initialize();
        assertThat(initialized.serverInfo().name()).isEqualTo("private-test-server");
        assertThat(client.listTools().tools())
                .extracting(McpSchema.Tool::name)
                .contains("echo", "progress", "hold", "big");
        McpSchema.CallToolResult echoed = client.callTool(McpSchema.CallToolRequest.builder("echo")
                .arguments(Map.of("text", "through the tunnel"))
                .build());
        assertThat(((McpSchema.TextContent) echoed.content().getFirst()).text()).isEqualTo("through the tunnel");

        McpSchema.CallToolResult done = client.callTool(McpSchema.CallToolRequest.builder("progress")
                .arguments(Map.of())
                .progressToken("p-1")
                .build());
        assertThat(((McpSchema.TextContent) done.content().getFirst()).text()).isEqualTo("done");
        assertThat(progress)
                .extracting(McpSchema.ProgressNotification::progress)
                .containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
        assertThat(progress)
                .extracting(McpSchema.ProgressNotification::progressToken)
                .containsOnly("p-1");

        int seen = upstream.sessionsSeen.size();
        String session = upstream.sessionsSeen.get(seen - 1);
        assertThat(session).isNotBlank();
        assertThat(upstream.sessionsSeen.subList(seen - 2, seen)).containsOnly(session);
        assertThat(upstream.correlationIds).isNotEmpty();

        assertThat(client.closeGracefully()).isTrue();
        Api.Response afterDelete = rawPost(tunnel, session, "tools/list");
        assertThat(afterDelete.status())
                .as("the session was deleted through the tunnel")
                .isEqualTo(404);
    }

    /** A tool call's event stream that goes quiet gets the relay's SSE comments, and the SDK client reads past them. */
    @Test
    void aQuietToolCallGetsKeepAlivesThatTheSdkClientReadsPast() throws Exception {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        McpSyncClient client = client(tunnel, progress::add);
        client.initialize();
        double keepAlivesBefore = counter("perimeter.tunnel.keepalives", null);
        double disconnectsBefore = counter("perimeter.tunnel.streams", "client-disconnected");

        McpSchema.CallToolResult released;
        try (var caller = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var call = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> client.callTool(McpSchema.CallToolRequest.builder("hold")
                            .arguments(Map.of())
                            .progressToken("quiet")
                            .build()),
                    caller);
            assertThat(upstream.holding.await(20, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            Thread.sleep(1_600); // the keep-alive is 0.5 s in tests
            assertThat(counter("perimeter.tunnel.keepalives", null))
                    .as("the held call's event stream got comments while quiet")
                    .isGreaterThan(keepAlivesBefore);
            upstream.release();
            released = call.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(((McpSchema.TextContent) released.content().getFirst()).text())
                .isEqualTo("released");
        assertThat(progress).extracting(McpSchema.ProgressNotification::message).containsExactly("holding");
        assertThat(counter("perimeter.tunnel.streams", "client-disconnected")).isEqualTo(disconnectsBefore);
    }

    private double counter(String name, @org.jspecify.annotations.Nullable String outcome) {
        var search = meters.find(name);
        if (outcome != null) {
            search = search.tag("outcome", outcome);
        }
        io.micrometer.core.instrument.Counter counter = search.counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void upstreamStatusesAndSseHeadersPassUnchanged() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);

        Api.Response unknownSession = rawPost(tunnel, "no-such-session", "tools/list");
        assertThat(unknownSession.status()).isEqualTo(404);
        assertThat(unknownSession.text()).doesNotContain("perimeter.dev/problems");

        Api.Response initialized = api.post(tunnel.mcpPath())
                .key(tunnel.tenant().key())
                .header("Accept", "application/json, text/event-stream")
                .json(
                        """
                        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                        "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""")
                .send();
        assertThat(initialized.status()).as(initialized.text()).isEqualTo(200);
        assertThat(initialized.header("Mcp-Session-Id")).isNotBlank();
        assertThat(initialized.header("X-Correlation-Id")).isNotBlank();
        if (initialized.header("Content-Type").startsWith("text/event-stream")) {
            assertThat(initialized.header("X-Accel-Buffering")).isEqualTo("no");
        }
        assertThat(initialized.text()).contains("private-test-server");

        assertThat(api.put(tunnel.mcpPath())
                        .key(tunnel.tenant().key())
                        .json("{}")
                        .send()
                        .status())
                .isEqualTo(405);
    }

    @Test
    void aSessionTheServerForgotReachesTheSdkClientAs404() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        McpSyncClient client = client(tunnel, notification -> {});
        client.initialize();
        client.callTool(McpSchema.CallToolRequest.builder("echo")
                .arguments(Map.of("text", "x"))
                .build());
        String session = upstream.sessionsSeen.getLast();
        Api.Response deleted = api.delete(tunnel.mcpPath())
                .key(tunnel.tenant().key())
                .header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-11-25")
                .send();
        assertThat(deleted.status()).as(deleted.text()).isIn(200, 202, 204);
        assertThatThrownBy(() -> client.callTool(McpSchema.CallToolRequest.builder("echo")
                        .arguments(Map.of("text", "y"))
                        .build()))
                .hasStackTraceContaining("404");
    }

    private Api.Response rawPost(Registered tunnel, String session, String method) {
        return api.post(tunnel.mcpPath())
                .key(tunnel.tenant().key())
                .header("Accept", "application/json, text/event-stream")
                .header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-11-25")
                .json("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\"}")
                .send();
    }
}
