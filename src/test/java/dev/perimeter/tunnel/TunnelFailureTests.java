package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.tunnel.agent.TunnelAgent;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What callers see when there is no agent, when it dies mid-call, and after it comes back. */
class TunnelFailureTests extends TunnelTestSupport {

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void noAgentAnswers503TunnelUnavailableAtOnce() {
        Registered tunnel = register(newTenant());
        Api.Response response = api.post(tunnel.mcpPath())
                .key(tunnel.tenant().key())
                .json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .send();
        assertProblem(response, 503, "tunnel-unavailable");
        assertThat(response.header("Retry-After")).isEqualTo("1");
        assertThat(meters.get("perimeter.tunnel.rejects")
                        .tag("reason", "no-agent")
                        .counter()
                        .count())
                .isPositive();
    }

    @Test
    void killingTheAgentMidCallEndsTheCallAndCallsSucceedOnceItReturns() throws Exception {
        // not the common pool: the SDK client completes its HTTP exchanges there, and it may have a single thread
        java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        Registered tunnel = register(newTenant());
        TunnelAgent agent = connectedAgent(tunnel);
        java.util.concurrent.CountDownLatch progressed = new java.util.concurrent.CountDownLatch(1);
        McpSyncClient client = client(tunnel, notification -> progressed.countDown());
        client.initialize();
        CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(
                () -> client.callTool(McpSchema.CallToolRequest.builder("hold")
                        .arguments(Map.of())
                        .progressToken("h")
                        .build()),
                caller);
        assertThat(upstream.holding.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(progressed.await(20, TimeUnit.SECONDS))
                .as("the call's event stream is flowing")
                .isTrue();

        long killedAt = System.nanoTime();
        agent.kill();
        Throwable failure = null;
        try {
            held.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        long endedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.println(
                "tunnel-kill: the held call ended " + endedAfterMillis + " ms after the agent was killed: " + failure);
        assertThat(failure).as("the held call fails instead of hanging").isNotNull();
        assertThat(failure).hasMessageContaining("tunnel");
        assertThat(endedAfterMillis)
                .as("ended long before the client's own 20 s timeout")
                .isLessThan(10_000);
        upstream.release();

        awaitConnections(tunnel, 0);
        connectedAgent(tunnel);
        McpSyncClient again = client(tunnel, notification -> {});
        again.initialize();
        McpSchema.CallToolResult echoed = again.callTool(McpSchema.CallToolRequest.builder("echo")
                .arguments(Map.of("text", "back"))
                .build());
        assertThat(((McpSchema.TextContent) echoed.content().getFirst()).text()).isEqualTo("back");
    }

    @Test
    void losingTheAgentInTheMiddleOfAPlainBodyTruncatesTheResponseVisibly() throws Exception {
        Registered tunnel = register(newTenant());
        TunnelAgent agent = agent(tunnel, upstream.rawUrl(), 1);
        awaitConnections(tunnel, 1);
        java.net.http.HttpResponse<java.io.InputStream> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://localhost:" + port + tunnel.mcpPath() + "?trickle"))
                                .header(
                                        "Authorization",
                                        "Bearer " + tunnel.tenant().key())
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        java.io.InputStream body = response.body();
        assertThat(body.read()).isEqualTo('[');
        agent.kill();
        org.assertj.core.api.Assertions.assertThatThrownBy(body::readAllBytes)
                .as("a truncated body is an error, not a short success")
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void fiftyAgentsLosingTheirConnectionsAtOnceSpreadTheirReconnects() {
        Registered tunnel = register(newTenant());
        List<TunnelAgent> agents = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            agents.add(TunnelAgent.start(new dev.perimeter.tunnel.agent.AgentSettings(
                    java.net.URI.create(tunnel.connectUrl()),
                    tunnel.token(),
                    java.net.URI.create(upstream.url()),
                    1,
                    "127.0.0.0/8",
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(8),
                    Duration.ofSeconds(30),
                    1)));
        }
        try {
            awaitConnections(tunnel, 50);
            List<Integer> before =
                    agents.stream().map(agent -> agent.dials().size()).toList();
            long droppedAt = System.nanoTime();
            java.time.Instant dropped = java.time.Instant.now();
            agents.forEach(TunnelAgent::dropConnections);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> agents.stream()
                    .allMatch(agent -> agent.dials().size() == 2));
            List<Long> offsets = agents.stream()
                    .map(agent ->
                            Duration.between(dropped, agent.dials().get(1)).toMillis())
                    .sorted()
                    .toList();
            long spread = offsets.getLast() - offsets.getFirst();
            long busiest = offsets.stream()
                    .collect(java.util.stream.Collectors.groupingBy(
                            offset -> offset / 50, java.util.stream.Collectors.counting()))
                    .values()
                    .stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0);
            System.out.println("tunnel-reconnect-spread: 50 agents reconnected between " + offsets.getFirst() + " and "
                    + offsets.getLast() + " ms after the drop (spread " + spread + " ms, at most " + busiest
                    + " in one 50 ms window); measured in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - droppedAt)
                    + " ms");
            assertThat(spread)
                    .as("reconnects spread over the first backoff window")
                    .isGreaterThan(300);
            assertThat(busiest)
                    .as("no lockstep: at most a fifth of the agents in any 50 ms")
                    .isLessThanOrEqualTo(10);
            awaitConnections(tunnel, 50);
        } finally {
            agents.forEach(TunnelAgent::close);
        }
    }
}
