package dev.perimeter.tunnel;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;

/**
 * The private MCP server of the tunnel tests: the official MCP Java SDK's Streamable HTTP server on an embedded Tomcat
 * on a random loopback port. Tools: {@code echo}; {@code progress}, which sends five progress notifications before it
 * answers; {@code hold}, which sends one progress notification and then waits for {@link #release()}; {@code big},
 * which answers {@code size} characters.
 */
final class McpTestServer implements AutoCloseable {

    private final Tomcat tomcat = new Tomcat();
    private final McpSyncServer server;
    final List<String> sessionsSeen = new CopyOnWriteArrayList<>();
    final List<String> correlationIds = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch hold = new CountDownLatch(1);
    final CountDownLatch holding = new CountDownLatch(1);
    final RawUpstreamServlet raw = new RawUpstreamServlet();

    McpTestServer() throws Exception {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .contextExtractor(request -> {
                    String id = request.getHeader("X-Correlation-Id");
                    if (id != null) {
                        correlationIds.add(id);
                    }
                    return io.modelcontextprotocol.common.McpTransportContext.EMPTY;
                })
                .build();
        Map<String, Object> anyObject = Map.of("type", "object");
        server = McpServer.sync(transport)
                .serverInfo("private-test-server", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .requestTimeout(Duration.ofSeconds(60))
                .toolCall(
                        McpSchema.Tool.builder()
                                .name("echo")
                                .inputSchema(anyObject)
                                .build(),
                        (exchange, request) -> {
                            sessionsSeen.add(exchange.sessionId());
                            return text(String.valueOf(request.arguments().get("text")));
                        })
                .toolCall(
                        McpSchema.Tool.builder()
                                .name("progress")
                                .inputSchema(anyObject)
                                .build(),
                        (exchange, request) -> {
                            sessionsSeen.add(exchange.sessionId());
                            for (int i = 1; i <= 5; i++) {
                                exchange.progressNotification(new McpSchema.ProgressNotification(
                                        request.progressToken(), i, 5.0, "step " + i));
                                sleep(30);
                            }
                            return text("done");
                        })
                .toolCall(
                        McpSchema.Tool.builder()
                                .name("hold")
                                .inputSchema(anyObject)
                                .build(),
                        (exchange, request) -> {
                            exchange.progressNotification(
                                    new McpSchema.ProgressNotification(request.progressToken(), 1, 2.0, "holding"));
                            holding.countDown();
                            try {
                                hold.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return text("released");
                        })
                .toolCall(
                        McpSchema.Tool.builder()
                                .name("big")
                                .inputSchema(anyObject)
                                .build(),
                        (exchange, request) ->
                                text("x".repeat(((Number) request.arguments().get("size")).intValue())))
                .build();
        File base = Files.createTempDirectory("mcp-test-server").toFile();
        tomcat.setBaseDir(base.getAbsolutePath());
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Context context = tomcat.addContext("", base.getAbsolutePath());
        Wrapper servlet = Tomcat.addServlet(context, "mcp", transport);
        servlet.setAsyncSupported(true);
        context.addServletMappingDecoded("/mcp", "mcp");
        Tomcat.addServlet(context, "raw", raw);
        context.addServletMappingDecoded("/raw", "raw");
        tomcat.getConnector().setAsyncTimeout(60_000);
        tomcat.start();
    }

    private static McpSchema.CallToolResult text(String text) {
        return McpSchema.CallToolResult.builder().addTextContent(text).build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets a held {@code hold} call answer, and arms the next one. */
    void release() {
        hold.countDown();
        hold = new CountDownLatch(1);
    }

    String url() {
        return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/mcp";
    }

    String rawUrl() {
        return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/raw";
    }

    @Override
    public void close() throws Exception {
        hold.countDown();
        server.closeGracefully();
        tomcat.stop();
        tomcat.destroy();
    }
}
