package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.support.Api;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Who may connect as a tunnel's agent, and what rotation and archiving do to agents and calls. */
class TunnelAgentAccessTests extends TunnelTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void onlyTheTunnelsCurrentTokenConnects() {
        Registered tunnel = register(newTenant());
        Registered other = register(newTenant());
        assertThat(handshakeStatus(tunnel.connectUrl(), null)).isEqualTo(401);
        assertThat(handshakeStatus(tunnel.connectUrl(), "garbage")).isEqualTo(401);
        assertThat(handshakeStatus(tunnel.connectUrl(), "x".repeat(5000))).isEqualTo(401);
        assertThat(handshakeStatus(tunnel.connectUrl(), other.token()))
                .as("another tunnel's token")
                .isEqualTo(401);
        assertThat(handshakeStatus(tunnel.connectUrl(), tunnel.tenant().key()))
                .as("a tenant API key is not a tunnel token")
                .isEqualTo(401);
        assertThat(handshakeStatus(tunnel.connectUrl().replace(tunnel.id(), "tnl_doesnotexist0000000"), tunnel.token()))
                .isEqualTo(401);
        assertThat(handshakeStatus(tunnel.connectUrl(), tunnel.token())).isEqualTo(101);
    }

    @Test
    void aGoodTokenOnSomethingOtherThanAWebSocketUpgradeIsAProblem() {
        Registered tunnel = register(newTenant());
        String path = URI.create(tunnel.connectUrl()).getPath();
        String token = "Authorization: Bearer " + tunnel.token() + "\r\nConnection: close\r\n\r\n"; // ends the head
        String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

        String plainGet = api.raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + token);
        assertThat(plainGet).startsWith("HTTP/1.1 400").contains("Upgrade: websocket");
        String post = api.raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n" + token);
        assertThat(post).startsWith("HTTP/1.1 405").containsIgnoringCase("Allow: GET");
        String noKey = api.raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" + token);
        assertThat(noKey).startsWith("HTTP/1.1 400").contains("Sec-WebSocket-Key");
        String oldVersion = api.raw(
                "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + upgrade + "Sec-WebSocket-Version: 8\r\n" + token);
        assertThat(oldVersion).startsWith("HTTP/1.1 426").containsIgnoringCase("Sec-WebSocket-Version: 13");
        for (String answer : java.util.List.of(plainGet, post, noKey, oldVersion)) {
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(answer).contains("\"type\":\"https://perimeter.dev/problems/");
        }
        assertThat(handshakeStatus(tunnel.connectUrl(), tunnel.token())).isEqualTo(101);
    }

    @Test
    void rotationRefusesTheOldTokenToNewConnectionsWhileLiveOnesDrain() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        Api.Response rotated = api.post("/v1/tunnels/" + tunnel.id() + "/rotate-token")
                .key(tunnel.tenant().key())
                .send();
        String newToken = rotated.json().get("token").asString();
        assertThat(handshakeStatus(tunnel.connectUrl(), tunnel.token())).isEqualTo(401);
        assertThat(connections(tunnel)).as("live connections stay").isEqualTo(2);
        Api.Response call = api.post(tunnel.mcpPath())
                .key(tunnel.tenant().key())
                .header("Accept", "application/json, text/event-stream")
                .header("Mcp-Session-Id", "unknown")
                .json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .send();
        assertThat(call.status()).as("the old connections still carry calls").isEqualTo(404);
        assertThat(handshakeStatus(tunnel.connectUrl(), newToken)).isEqualTo(101);
    }

    @Test
    void anArchivedTunnelClosesItsAgentsAndRefusesEverything() {
        Registered tunnel = register(newTenant());
        connectedAgent(tunnel);
        Api.Response archived = api.delete("/v1/tunnels/" + tunnel.id())
                .key(tunnel.tenant().key())
                .send();
        assertThat(archived.json().get("status").asString()).isEqualTo("ARCHIVED");
        assertThat(archived.json().get("connections").asInt()).isZero();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(connections(tunnel)).isZero());
        assertThat(handshakeStatus(tunnel.connectUrl(), tunnel.token())).isEqualTo(401);
        assertProblem(
                api.post(tunnel.mcpPath()).key(tunnel.tenant().key()).json("{}").send(), 410, "tunnel-archived");
        assertProblem(api.get(tunnel.mcpPath()).key(tunnel.tenant().key()).send(), 410, "tunnel-archived");
    }

    @Test
    void malformedFramesCloseTheConnection() throws Exception {
        Registered tunnel = register(newTenant());
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + tunnel.token())
                .buildAsync(URI.create(tunnel.connectUrl()), new WebSocket.Listener() {
                    @Override
                    public CompletableFuture<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.complete(-1);
                    }
                })
                .join();
        socket.sendBinary(ByteBuffer.wrap(new byte[] {42, 0, 0}), true).join();
        assertThat(closed.get(20, TimeUnit.SECONDS)).isEqualTo(1007);
        awaitConnections(tunnel, 0);
    }

    @Test
    void anAgentThatDoesNotOfferBatchingGetsOneFramePerMessageAndIsRelayed() throws Exception {
        Registered tunnel = register(newTenant());
        java.util.concurrent.BlockingQueue<ByteBuffer> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        WebSocket socket = handAgent(tunnel, messages, false);
        assertThat(socket.getSubprotocol()).isEmpty();
        CompletableFuture<Api.Response> call = CompletableFuture.supplyAsync(() -> api.post(tunnel.mcpPath())
                .key(tunnel.tenant().key())
                .header("Accept", "application/json, text/event-stream")
                .json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .send());
        java.util.List<TunnelFrame> received = new java.util.ArrayList<>();
        while (received.isEmpty() || received.getLast().type() != TunnelFrame.Type.END) {
            ByteBuffer message = messages.poll(20, TimeUnit.SECONDS);
            assertThat(message).as("frames of the call").isNotNull();
            TunnelFrame frame = TunnelFrame.decode(message);
            assertThat(frame.type()).isNotEqualTo(TunnelFrame.Type.BATCH);
            received.add(frame);
        }
        assertThat(received)
                .extracting(TunnelFrame::type)
                .containsExactly(TunnelFrame.Type.HEAD, TunnelFrame.Type.DATA, TunnelFrame.Type.END);
        int stream = received.getFirst().streamId();
        byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] head = TunnelHeads.encode(new TunnelHeads.Response(
                200, java.util.List.of(new TunnelHeads.Header("Content-Type", "application/json"))));
        socket.sendBinary(new TunnelFrame(TunnelFrame.Type.HEAD, stream, head).encode(), true)
                .join();
        socket.sendBinary(new TunnelFrame(TunnelFrame.Type.DATA, stream, body).encode(), true)
                .join();
        socket.sendBinary(TunnelFrame.of(TunnelFrame.Type.END, stream).encode(), true)
                .join();

        Api.Response response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        socket.abort();
    }

    @Test
    void aResetThatCameWithTheHeadStillGivesTheCallerTheStatusAndATruncatedBody() throws Exception {
        Registered tunnel = register(newTenant());
        java.util.concurrent.BlockingQueue<ByteBuffer> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        WebSocket socket = handAgent(tunnel, messages, true);
        CompletableFuture<java.net.http.HttpResponse<java.io.InputStream>> call = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(URI.create("http://localhost:" + port + tunnel.mcpPath()))
                        .header("Authorization", "Bearer " + tunnel.tenant().key())
                        .GET()
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        TunnelFrame head = null;
        while (head == null) {
            ByteBuffer message = messages.poll(20, TimeUnit.SECONDS);
            assertThat(message).as("the call's head").isNotNull();
            head = TunnelFrame.decodeAll(message).stream()
                    .filter(frame -> frame.type() == TunnelFrame.Type.HEAD)
                    .findFirst()
                    .orElse(null);
        }
        int stream = head.streamId();
        socket.sendBinary(
                        TunnelFrame.encodeBatch(java.util.List.of(
                                new TunnelFrame(
                                        TunnelFrame.Type.HEAD,
                                        stream,
                                        TunnelHeads.encode(new TunnelHeads.Response(
                                                200,
                                                java.util.List.of(
                                                        new TunnelHeads.Header("Content-Type", "application/json"))))),
                                new TunnelFrame(TunnelFrame.Type.DATA, stream, "[1,".getBytes()),
                                TunnelFrame.reset(stream, "the private MCP server failed"))),
                        true)
                .join();

        java.net.http.HttpResponse<java.io.InputStream> response = call.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode())
                .as("the upstream's status, not the relay's")
                .isEqualTo(200);
        try (java.io.InputStream body = response.body()) {
            assertThatThrownBy(body::readAllBytes)
                    .as("a truncated body is an error, not a short success")
                    .isInstanceOf(java.io.IOException.class);
        }
        socket.abort();
    }

    /**
     * An agent written by hand: it connects with the tunnel token, offering batching or not, answers the relay's
     * announcing {@code PING} and queues every later message.
     */
    private WebSocket handAgent(
            Registered tunnel, java.util.concurrent.BlockingQueue<ByteBuffer> messages, boolean batching)
            throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder().header("Authorization", "Bearer " + tunnel.token());
        if (batching) {
            builder.subprotocols(TunnelFrame.BATCHING_PROTOCOL);
        }
        WebSocket socket = builder.buildAsync(URI.create(tunnel.connectUrl()), new WebSocket.Listener() {
                    @Override
                    public CompletableFuture<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                        ByteBuffer copy =
                                ByteBuffer.allocate(data.remaining()).put(data).flip();
                        messages.add(copy);
                        webSocket.request(1);
                        return null;
                    }
                })
                .join();
        TunnelFrame announcement = TunnelFrame.decode(messages.poll(20, TimeUnit.SECONDS));
        assertThat(announcement.type())
                .as("the relay's first frame is a PING any agent answers")
                .isEqualTo(TunnelFrame.Type.PING);
        assertThat(announcement.announcedReplica()).startsWith("rep_");
        socket.sendBinary(new TunnelFrame(TunnelFrame.Type.PONG, 0, announcement.payload()).encode(), true)
                .join();
        awaitConnections(tunnel, 1);
        return socket;
    }

    @Test
    void theInternalForwardingEndpointHidesWithoutTheReplicaSecret() {
        Registered tunnel = register(newTenant());
        Api.Response response = api.post("/internal/tunnels/" + tunnel.id() + "/mcp")
                .header("X-Perimeter-Tenant", tunnel.tenant().id())
                .header("X-Perimeter-Replica-Secret", "guess")
                .json("{}")
                .send();
        assertProblem(response, 404, "not-found");
    }

    private int handshakeStatus(String url, String token) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        try {
            WebSocket socket = builder.buildAsync(URI.create(url), new WebSocket.Listener() {})
                    .join();
            socket.abort();
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
    }

    @Test
    void handshakeRefusalsAreProblems() {
        Registered tunnel = register(newTenant());
        assertThatThrownBy(() -> http.newWebSocketBuilder()
                        .buildAsync(URI.create(tunnel.connectUrl()), new WebSocket.Listener() {})
                        .join())
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
        Api.Response plain = api.get("/v1/tunnels/" + tunnel.id() + "/connect").send();
        assertThat(plain.status()).isIn(400, 401, 426);
    }
}
