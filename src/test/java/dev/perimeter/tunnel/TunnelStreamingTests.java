package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bodies larger than any window stream through, oversized ones are refused, and a caller that leaves resets. */
class TunnelStreamingTests extends TunnelTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void tenMebibytesStreamUpAndDownIntact() throws Exception {
        Registered tunnel = register(newTenant());
        agent(tunnel, upstream.rawUrl(), 2);
        awaitConnections(tunnel, 2);
        byte[] body = new byte[10 * 1024 * 1024];
        new Random(7).nextBytes(body);
        double sentBefore = bytes("to-agent");
        double completedBefore = streams("completed");
        Api.Response uploaded = api.post(tunnel.mcpPath())
                .key(tunnel.tenant().key())
                .bytes(body)
                .send();
        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(200);
        assertThat(uploaded.json().get("length").asLong()).isEqualTo(body.length);
        assertThat(uploaded.json().get("sha256").asString())
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(body)));

        Api.Response downloaded = api.get(tunnel.mcpPath() + "?bytes=" + (12 * 1024 * 1024 + 5))
                .key(tunnel.tenant().key())
                .send();
        assertThat(downloaded.status()).isEqualTo(200);
        assertThat(downloaded.raw()).hasSize(12 * 1024 * 1024 + 5);
        for (int i = 0; i < downloaded.raw().length; i += 4099) {
            assertThat(downloaded.raw()[i]).isEqualTo((byte) ((i % 8192) % 251));
        }
        assertThat(downloaded.header("Mcp-Session-Id")).isEqualTo("raw-session");
        assertThat(downloaded.header("Set-Cookie"))
                .as("only allowed headers cross")
                .isNull();
    }

    @Test
    void bodiesOverTheLimitAnswer413WhetherDeclaredOrStreamed() throws Exception {
        Registered tunnel = register(newTenant());
        agent(tunnel, upstream.rawUrl(), 1);
        awaitConnections(tunnel, 1);
        byte[] tooLarge = new byte[16 * 1024 * 1024 + 1];
        assertThat(declaredOnly(tunnel, tooLarge.length))
                .as("a declared length over the limit is refused before any body is sent")
                .startsWith("HTTP/1.1 413")
                .contains("payload-too-large");
        Api.Response streamed = send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + tunnel.mcpPath()))
                .header("Authorization", "Bearer " + tunnel.tenant().key())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(tooLarge))));
        assertThat(streamed.status()).isEqualTo(413);
        // a new client: the refused bodies were left unread, so their connections are not reused
        assertThat(new Api(port)
                        .post(tunnel.mcpPath())
                        .key(tunnel.tenant().key())
                        .bytes(new byte[1024])
                        .send()
                        .status())
                .as("the tunnel still works")
                .isEqualTo(200);
    }

    @Test
    void sseFlowsEventByEventAndACallerLeavingResetsTheUpstream() throws Exception {
        Registered tunnel = register(newTenant());
        agent(tunnel, upstream.rawUrl(), 1);
        awaitConnections(tunnel, 1);
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + tunnel.mcpPath() + "?ticks"))
                        .header("Authorization", "Bearer " + tunnel.tenant().key())
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Accel-Buffering")).hasValue("no");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        InputStream events = response.body();
        byte[] first = new byte[32];
        int read = events.read(first);
        assertThat(new String(first, 0, read)).startsWith("id: 0");
        events.close();
        assertThat(upstream.raw.tickerLostItsCaller.await(20, TimeUnit.SECONDS))
                .as("the upstream saw the caller leave")
                .isTrue();
    }

    @Test
    void aQuietEventStreamGetsKeepAlivesAndACallerLeavingItIsNoticedWithoutAnEvent() throws Exception {
        Registered tunnel = register(newTenant());
        agent(tunnel, upstream.rawUrl(), 1);
        awaitConnections(tunnel, 1);
        double disconnectedBefore = streams("client-disconnected");
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + tunnel.mcpPath() + "?quiet"))
                        .header("Authorization", "Bearer " + tunnel.tenant().key())
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        InputStream events = response.body();
        String expected = "id: 0\ndata: hello\n\n: keep-alive\n\n";
        byte[] read = events.readNBytes(expected.length());
        assertThat(new String(read, java.nio.charset.StandardCharsets.UTF_8))
                .as("the event as sent, then a comment between events (keep-alive is 0.5 s in tests)")
                .isEqualTo(expected);
        events.close();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(streams("client-disconnected")).isGreaterThan(disconnectedBefore));
    }

    @Test
    void perimeterKeysNeverReachTheUpstreamButTheServersOwnAuthorizationDoes() {
        Registered tunnel = register(newTenant());
        agent(tunnel, upstream.rawUrl(), 1);
        awaitConnections(tunnel, 1);
        api.get(tunnel.mcpPath() + "?bytes=1").key(tunnel.tenant().key()).send();
        assertThat(upstream.raw.lastAuthorization).isNull();
        assertThat(upstream.raw.lastHost).startsWith("127.0.0.1:");
        Api.Response withOwnToken = api.get(tunnel.mcpPath() + "?bytes=1")
                .header("X-Perimeter-Key", tunnel.tenant().key())
                .header("Authorization", "Bearer upstream-oauth-token")
                .send();
        assertThat(withOwnToken.status()).isEqualTo(200);
        assertThat(upstream.raw.lastAuthorization).isEqualTo("Bearer upstream-oauth-token");
    }

    private double bytes(String direction) {
        io.micrometer.core.instrument.Counter counter = meters.find("perimeter.tunnel.bytes")
                .tag("direction", direction)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double streams(String outcome) {
        io.micrometer.core.instrument.Counter counter =
                meters.find("perimeter.tunnel.streams").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Sends only the head of a request declaring {@code length} body bytes, and answers the raw response. */
    private String declaredOnly(Registered tunnel, long length) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(20_000);
            String head = "POST " + tunnel.mcpPath() + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + tunnel.tenant().key() + "\r\nContent-Type: application/json\r\nContent-Length: " + length
                    + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] buffer = new byte[4096];
            int n = socket.getInputStream().read(buffer);
            return new String(buffer, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static Api.Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response =
                    HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Api.Response(response.statusCode(), response.headers(), response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
