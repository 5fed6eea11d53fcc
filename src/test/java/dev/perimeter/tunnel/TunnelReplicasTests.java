package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import dev.perimeter.support.TcpBalancer;
import dev.perimeter.tunnel.agent.TunnelAgent;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two replicas on one database in region eu-1: an agent connected to one, callers on the other, forwarded with the
 * replica secret; residency, the per-tunnel limits and the call deadline.
 */
class TunnelReplicasTests {

    private static Replicas replicas;
    private static McpTestServer upstream;
    private static String key;
    private static String tenant;

    @BeforeAll
    static void start() throws Exception {
        upstream = new McpTestServer();
        replicas = Replicas.start(
                2,
                Map.of(
                        "perimeter.jobs.enabled", "false",
                        "perimeter.sandbox.default-region", "eu-1",
                        "perimeter.tunnels.forwarding-secret", "replica-secret-for-tests",
                        "perimeter.tunnels.max-in-flight", "2",
                        "perimeter.tunnels.max-queued", "0",
                        "perimeter.tunnels.max-streams", "2",
                        "perimeter.tunnels.response-timeout", "PT3S",
                        "perimeter.tunnels.heartbeat-interval", "PT1S",
                        "perimeter.tunnels.heartbeat-tolerance", "PT5S"));
        tenant = "t-" + UUID.randomUUID().toString().substring(0, 12);
        Api admin = replicas.api(0);
        admin.post("/v1/tenants")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("id", tenant, "displayName", tenant))
                .send();
        key = admin.post("/v1/tenants/" + tenant + "/api-keys")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("name", "o"))
                .send()
                .json()
                .get("key")
                .asString();
    }

    @AfterAll
    static void stop() throws Exception {
        replicas.close();
        upstream.close();
    }

    private record Tunnel(String id, String token, String connectUrl) {}

    private static Tunnel register(int replica) {
        Api.Response created = replicas.api(replica)
                .post("/v1/tunnels")
                .key(key)
                .json(Map.of("name", "n"))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("region").asString()).isEqualTo("eu-1");
        return new Tunnel(
                created.json().get("id").asString(),
                created.json().get("token").asString(),
                created.json().get("connectUrl").asString());
    }

    private static TunnelAgent connect(Tunnel tunnel, String upstreamUrl) {
        TunnelAgent agent =
                TunnelAgent.start(TunnelTestSupport.settings(tunnel.connectUrl(), tunnel.token(), upstreamUrl, 1));
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> replicas.api(1)
                                .get("/v1/tunnels/" + tunnel.id())
                                .key(key)
                                .send()
                                .json()
                                .get("connections")
                                .asInt()
                        == 1);
        return agent;
    }

    /**
     * A balancer that sends the first two dials to replica 0: the agent's second connection names replica 0 as held,
     * is refused there with 409, dials again and lands on replica 1.
     */
    @Test
    void anAgentSpreadsItsConnectionsOverReplicasWhenTheBalancerLetsIt() throws Exception {
        Tunnel tunnel = register(0);
        int[] ports = {port(0), port(1)};
        try (TcpBalancer balancer = TcpBalancer.start(n -> n < 2 ? ports[0] : ports[(n + 1) % 2])) {
            URI direct = URI.create(tunnel.connectUrl());
            String viaBalancer = new URI(
                            direct.getScheme(), null, "127.0.0.1", balancer.port(), direct.getPath(), null, null)
                    .toString();
            JdbcClient jdbc = replicas.bean(0, JdbcClient.class);
            try (TunnelAgent agent =
                    TunnelAgent.start(TunnelTestSupport.settings(viaBalancer, tunnel.token(), upstream.url(), 2))) {
                Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                                jdbc.sql("select replica_id from tunnel_connections where tunnel_id = ?")
                                        .param(tunnel.id())
                                        .query(String.class)
                                        .list())
                        .as("one connection on each replica")
                        .hasSize(2)
                        .doesNotHaveDuplicates());
                assertThat(balancer.accepted())
                        .as("the second connection dialled again")
                        .isGreaterThanOrEqualTo(3);
                assertThat(agent.dials()).hasSizeGreaterThanOrEqualTo(3);
            }
        }
    }

    private static int port(int replica) {
        return ((org.springframework.boot.web.server.context.WebServerApplicationContext)
                        replicas.contexts().get(replica))
                .getWebServer()
                .getPort();
    }

    @Test
    void aCallOnTheOtherReplicaIsForwardedToTheOneHoldingTheAgent() {
        Tunnel tunnel = register(0);
        try (TunnelAgent agent = connect(tunnel, upstream.url())) {
            int port = ((org.springframework.boot.web.server.context.WebServerApplicationContext)
                            replicas.contexts().get(1))
                    .getWebServer()
                    .getPort();
            List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
            McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port)
                            .endpoint("/v1/tunnels/" + tunnel.id() + "/mcp")
                            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + key))
                            .build())
                    .requestTimeout(Duration.ofSeconds(20))
                    .progressConsumer(progress::add)
                    .build();
            try {
                client.initialize();
                assertThat(client.listTools().tools()).isNotEmpty();
                McpSchema.CallToolResult done = client.callTool(McpSchema.CallToolRequest.builder("progress")
                        .arguments(Map.of())
                        .progressToken("r")
                        .build());
                assertThat(((McpSchema.TextContent) done.content().getFirst()).text())
                        .isEqualTo("done");
                assertThat(progress)
                        .extracting(McpSchema.ProgressNotification::progress)
                        .containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
            } finally {
                client.closeGracefully();
            }
            Api.Response big = replicas.api(1)
                    .post("/v1/tunnels/" + tunnel.id() + "/mcp")
                    .key(key)
                    .json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                    .send();
            assertThat(big.status())
                    .as("upstream 4xx passes through both replicas")
                    .isIn(400, 404);
        }
    }

    @Test
    void aTunnelOfAnotherRegionIsRefusedHere() {
        Api.Response wrongRegion = replicas.api(0)
                .post("/v1/tunnels")
                .key(key)
                .json(Map.of("name", "n", "region", "us-1"))
                .send();
        assertThat(wrongRegion.status()).isEqualTo(403);
        assertThat(wrongRegion.json().get("type").asString()).endsWith("/region-not-allowed");

        Tunnel tunnel = register(0);
        JdbcClient jdbc = replicas.bean(0, JdbcClient.class);
        jdbc.sql("update tunnels set region = 'us-1' where id = :id")
                .param("id", tunnel.id())
                .update();
        Api.Response call = replicas.api(1)
                .post("/v1/tunnels/" + tunnel.id() + "/mcp")
                .key(key)
                .json("{}")
                .send();
        assertThat(call.status()).isEqualTo(403);
        assertThat(call.json().get("type").asString()).endsWith("/region-not-allowed");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        assertThat(http.newWebSocketBuilder()
                        .header("Authorization", "Bearer " + tunnel.token())
                        .buildAsync(URI.create(tunnel.connectUrl()), new java.net.http.WebSocket.Listener() {})
                        .handle((socket, error) -> error == null
                                ? 101
                                : ((java.net.http.WebSocketHandshakeException) error.getCause())
                                        .getResponse()
                                        .statusCode())
                        .join())
                .isEqualTo(403);
    }

    @Test
    void callsBeyondTheTunnelsLimitAnswer429AndSlowUpstreamsTimeOut() throws Exception {
        Tunnel tunnel = register(0);
        try (TunnelAgent agent = connect(tunnel, upstream.rawUrl());
                ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Api api = replicas.api(0);
            List<CompletableFuture<Api.Response>> held = List.of(
                    CompletableFuture.supplyAsync(() -> hold(api, tunnel), callers),
                    CompletableFuture.supplyAsync(() -> hold(api, tunnel), callers));
            assertThat(upstream.raw.holding.await(20, TimeUnit.SECONDS)).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Api.Response third = hold(api, tunnel);
                assertThat(third.status()).isEqualTo(429);
                assertThat(third.json().get("type").asString()).endsWith("/tunnel-busy");
                assertThat(third.header("Retry-After")).isEqualTo("1");
            });
            for (CompletableFuture<Api.Response> call : held) {
                Api.Response timedOut = call.get(30, TimeUnit.SECONDS);
                assertThat(timedOut.status()).isEqualTo(504);
                assertThat(timedOut.json().get("type").asString()).endsWith("/tunnel-timeout");
            }
        } finally {
            upstream.raw.release.countDown();
        }
    }

    private static Api.Response hold(Api api, Tunnel tunnel) {
        return api.get("/v1/tunnels/" + tunnel.id() + "/mcp?hold").key(key).send();
    }
}
