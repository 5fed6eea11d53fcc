package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.tunnel.agent.AgentSettings;
import dev.perimeter.tunnel.agent.TunnelAgent;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The shared application plus a private MCP server, agents and SDK clients for tunnel tests. */
abstract class TunnelTestSupport extends ApiTestSupport {

    static McpTestServer upstream;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = new McpTestServer();
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        upstream.close();
    }

    @AfterEach
    void closeAgentsAndClients() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
        opened.clear();
    }

    /** A registered tunnel as its tenant received it. */
    record Registered(TestTenant tenant, String id, String token, String connectUrl) {

        String mcpPath() {
            return "/v1/tunnels/" + id + "/mcp";
        }
    }

    Registered register(TestTenant tenant) {
        Api.Response created = api.post("/v1/tunnels")
                .key(tenant.key())
                .json(Map.of("name", "private", "region", "eu-1"))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return new Registered(
                tenant,
                created.json().get("id").asString(),
                created.json().get("token").asString(),
                created.json().get("connectUrl").asString());
    }

    static AgentSettings settings(String connectUrl, String token, String upstreamUrl, int connections) {
        return new AgentSettings(
                URI.create(connectUrl),
                token,
                URI.create(upstreamUrl),
                connections,
                "127.0.0.0/8,::1/128",
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ofMillis(200),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                1);
    }

    TunnelAgent agent(Registered tunnel, String upstreamUrl, int connections) {
        TunnelAgent agent = TunnelAgent.start(settings(tunnel.connectUrl(), tunnel.token(), upstreamUrl, connections));
        opened.add(agent);
        return agent;
    }

    /** Starts an agent for the MCP server and waits until its connections show in the registry. */
    TunnelAgent connectedAgent(Registered tunnel) {
        TunnelAgent agent = agent(tunnel, upstream.url(), 2);
        awaitConnections(tunnel, 2);
        return agent;
    }

    void awaitConnections(Registered tunnel, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(connections(tunnel))
                .isEqualTo(count));
    }

    int connections(Registered tunnel) {
        return api.get("/v1/tunnels/" + tunnel.id())
                .key(tunnel.tenant().key())
                .send()
                .json()
                .get("connections")
                .asInt();
    }

    /** An SDK client aimed at the tunnel's MCP URL on this application. */
    McpSyncClient client(Registered tunnel, Consumer<McpSchema.ProgressNotification> progress) {
        return client(port, tunnel, progress);
    }

    McpSyncClient client(int port, Registered tunnel, Consumer<McpSchema.ProgressNotification> progress) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        "http://localhost:" + port)
                .endpoint(tunnel.mcpPath())
                .requestBuilder(HttpRequest.newBuilder()
                        .header("Authorization", "Bearer " + tunnel.tenant().key()))
                .build();
        McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(20))
                .progressConsumer(progress)
                .build();
        opened.add(client);
        return client;
    }
}
