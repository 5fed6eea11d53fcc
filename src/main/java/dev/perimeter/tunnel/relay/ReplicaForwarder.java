package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.CorrelationId;
import dev.perimeter.tunnel.RelayableTunnel;
import dev.perimeter.tunnel.TunnelHeads;
import dev.perimeter.tunnel.TunnelProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.springframework.stereotype.Component;

/**
 * Forwards a call to the replica that holds one of the tunnel's agent connections, authenticated with the shared
 * replica secret, streaming both ways as the local relay does.
 */
@Component
class ReplicaForwarder {

    static final String SECRET_HEADER = "X-Perimeter-Replica-Secret";
    static final String TENANT_HEADER = "X-Perimeter-Tenant";
    static final String AUTHORIZATION_HEADER = "X-Perimeter-Forward-Authorization";

    private final String secret;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    ReplicaForwarder(TunnelProperties properties) {
        this.secret = properties.forwardingSecret();
    }

    boolean enabled() {
        return !secret.isEmpty();
    }

    /** Whether a forwarded call presents this deployment's replica secret. */
    boolean authentic(@org.jspecify.annotations.Nullable String presented) {
        return enabled()
                && presented != null
                && java.security.MessageDigest.isEqual(
                        presented.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    void forward(
            String replicaUrl,
            RelayableTunnel tunnel,
            HttpServletRequest request,
            HttpServletResponse response,
            boolean forwardAuthorization)
            throws IOException, InterruptedException {
        TunnelHeads.Request head = RelayedRequest.of(request, forwardAuthorization);
        HttpRequest.Builder builder = HttpRequest.newBuilder(
                        URI.create(replicaUrl + "/internal/tunnels/" + tunnel.id() + "/mcp" + head.pathAndQuery()))
                .header(SECRET_HEADER, secret)
                .header(TENANT_HEADER, tunnel.tenantId())
                .header(AUTHORIZATION_HEADER, Boolean.toString(forwardAuthorization))
                .header(CorrelationId.HEADER, head.correlationId());
        head.headers().forEach(header -> builder.header(header.name(), header.value()));
        InputStream body = request.getInputStream();
        builder.method(request.getMethod(), HttpRequest.BodyPublishers.ofInputStream(() -> body));
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new TunnelUnavailableException("The replica holding the tunnel's agent could not be reached");
        }
        try (InputStream in = answer.body()) {
            response.setStatus(answer.statusCode());
            answer.headers().map().forEach((name, values) -> {
                if (TunnelHeads.forwardsResponseHeader(name)
                        || name.equalsIgnoreCase("X-Accel-Buffering")
                        || name.equalsIgnoreCase("Cache-Control")
                        || name.equalsIgnoreCase("Retry-After")) {
                    values.forEach(value -> response.addHeader(name, value));
                }
            });
            response.flushBuffer();
            OutputStream out = response.getOutputStream();
            byte[] buffer = new byte[dev.perimeter.tunnel.TunnelFrame.MAX_DATA];
            int n;
            while (true) {
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new RelayAbortedException("the holding replica ended the call: " + e.getMessage());
                }
                if (n < 0) {
                    return;
                }
                try {
                    out.write(buffer, 0, n);
                    out.flush();
                } catch (IOException e) {
                    return;
                }
            }
        }
    }
}
