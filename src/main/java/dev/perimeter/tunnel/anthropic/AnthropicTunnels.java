package dev.perimeter.tunnel.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.AnthropicException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.beta.tunnels.BetaTunnel;
import com.anthropic.models.beta.tunnels.TunnelArchiveParams;
import com.anthropic.models.beta.tunnels.TunnelCreateParams;
import com.anthropic.models.beta.tunnels.TunnelRetrieveParams;
import com.anthropic.models.beta.tunnels.TunnelRevealTokenParams;
import com.anthropic.models.beta.tunnels.certificates.BetaTunnelCertificate;
import com.anthropic.models.beta.tunnels.certificates.CertificateCreateParams;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.shared.CapabilityUnsupportedException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Anthropic's Tunnels API through the official SDK ({@code client.beta().tunnels()}). Failures become problems: a
 * rate limit, an overload, a 5xx or a timeout answers 503 {@code provider-unavailable}; any other refusal 502
 * {@code provider-error}. Calls are not retried: a retried create could leave a second tunnel behind. No token passes
 * through a log line or an exception message.
 */
@Component
public class AnthropicTunnels implements DisposableBean {

    /** The provider name in problems. */
    public static final String PROVIDER = "anthropic";

    private static final Logger log = LoggerFactory.getLogger(AnthropicTunnels.class);

    private final AnthropicTunnelProperties properties;
    private volatile @Nullable AnthropicClient client;

    AnthropicTunnels(AnthropicTunnelProperties properties) {
        this.properties = properties;
    }

    /**
     * A tunnel as Anthropic reports it.
     *
     * @param id Anthropic's id, {@code tnl_…}
     * @param domain the hostname whose subdomains are routed through the tunnel
     * @param archivedAt when it was archived, or {@code null}
     */
    public record RemoteTunnel(String id, String domain, @Nullable Instant archivedAt) {}

    /**
     * A CA certificate registered on a tunnel.
     *
     * @param id Anthropic's id, {@code tcrt_…}
     * @param fingerprint lowercase hex SHA-256 of the certificate's DER encoding
     * @param createdAt when it was registered
     * @param expiresAt when it expires, or {@code null}
     */
    public record RegisteredCertificate(
            String id, String fingerprint, Instant createdAt, @Nullable Instant expiresAt) {}

    /** The settings, for the stack configuration Perimeter serves. */
    public AnthropicTunnelProperties settings() {
        return properties;
    }

    /** Whether an API key is configured; without one {@code ANTHROPIC} tunnels are refused. */
    public boolean configured() {
        return !properties.apiKey().isEmpty();
    }

    /** Creates a tunnel in Anthropic; it refuses MCP traffic until a CA certificate is registered. */
    public RemoteTunnel create(String displayName) {
        TunnelCreateParams.Builder params = TunnelCreateParams.builder().displayName(displayName);
        workspace().ifPresent(params::workspaceId);
        return call("create a tunnel", () -> remote(client().beta().tunnels().create(params.build())));
    }

    /** The tunnel as Anthropic has it now. */
    public RemoteTunnel retrieve(String tunnelId) {
        TunnelRetrieveParams.Builder params = TunnelRetrieveParams.builder().tunnelId(tunnelId);
        workspace().ifPresent(params::workspaceId);
        return call("read the tunnel", () -> remote(client().beta().tunnels().retrieve(params.build())));
    }

    /** Registers a public CA certificate Anthropic verifies the proxy's server certificate against. */
    public RegisteredCertificate registerCertificate(String tunnelId, String pem) {
        CertificateCreateParams.Builder params =
                CertificateCreateParams.builder().tunnelId(tunnelId).caCertificatePem(pem);
        workspace().ifPresent(params::workspaceId);
        return call("register the CA certificate", () -> {
            BetaTunnelCertificate created =
                    client().beta().tunnels().certificates().create(params.build());
            return new RegisteredCertificate(
                    created.id(),
                    created.fingerprint(),
                    created.createdAt().toInstant(),
                    created.expiresAt().map(OffsetDateTime::toInstant).orElse(null));
        });
    }

    /** Archives the tunnel; archiving an archived or unknown tunnel is not an error. */
    public void archive(String tunnelId) {
        TunnelArchiveParams.Builder params = TunnelArchiveParams.builder().tunnelId(tunnelId);
        workspace().ifPresent(params::workspaceId);
        try {
            call("archive the tunnel", () -> client().beta().tunnels().archive(params.build()));
        } catch (ProviderErrorException e) {
            if (!(e.getCause() instanceof AnthropicServiceException service && service.statusCode() == 404)) {
                throw e;
            }
            log.info("Anthropic tunnel {} is already gone; recording it archived", tunnelId);
        }
    }

    /** The tunnel's connector token, fetched live; the caller hands it on once and keeps no copy. */
    public String revealToken(String tunnelId) {
        TunnelRevealTokenParams.Builder params =
                TunnelRevealTokenParams.builder().tunnelId(tunnelId);
        workspace().ifPresent(params::workspaceId);
        return call(
                "reveal the tunnel token",
                () -> client().beta().tunnels().revealToken(params.build()).tunnelToken());
    }

    private static RemoteTunnel remote(BetaTunnel tunnel) {
        return new RemoteTunnel(
                tunnel.id(),
                tunnel.domain(),
                tunnel.archivedAt().map(OffsetDateTime::toInstant).orElse(null));
    }

    private java.util.Optional<String> workspace() {
        return properties.workspaceId().isEmpty()
                ? java.util.Optional.empty()
                : java.util.Optional.of(properties.workspaceId());
    }

    private <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (AnthropicServiceException e) {
            int status = e.statusCode();
            log.warn("Anthropic refused to {}: HTTP {}", what, status);
            if (status == 429 || status == 529 || status >= 500) {
                throw new ProviderUnavailableException(
                        PROVIDER, "Anthropic could not " + what + " (HTTP " + status + "); try again later", e);
            }
            throw new ProviderErrorException(PROVIDER, "Anthropic refused to " + what + " (HTTP " + status + ")", e);
        } catch (AnthropicException e) {
            log.warn(
                    "Anthropic did not answer the call to {}: {}",
                    what,
                    e.getClass().getSimpleName());
            throw new ProviderUnavailableException(
                    PROVIDER, "Anthropic did not answer the call to " + what + "; try again later", e);
        }
    }

    private AnthropicClient client() {
        if (!configured()) {
            throw new CapabilityUnsupportedException(
                    PROVIDER, "backend", "Anthropic MCP tunnels need ANTHROPIC_API_KEY on this deployment");
        }
        AnthropicClient current = client;
        if (current == null) {
            synchronized (this) {
                current = client;
                if (current == null) {
                    current = AnthropicOkHttpClient.builder()
                            .baseUrl(properties.baseUrl())
                            .apiKey(properties.apiKey())
                            .timeout(properties.timeout())
                            .maxRetries(0)
                            .build();
                    client = current;
                }
            }
        }
        return current;
    }

    @Override
    public void destroy() {
        AnthropicClient current = client;
        if (current != null) {
            current.close();
        }
    }
}
