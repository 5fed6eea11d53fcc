package dev.perimeter.tunnel;

import dev.perimeter.shared.ValidationFailedException;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /v1/tunnels}; {@code routes} (subdomain → {@code http(s)://host[:port]}) and
 * {@code caCertificatePem} apply to {@code backend: "ANTHROPIC"} only.
 */
record RegisterTunnelRequest(
        @NotBlank
                @Size(max = 200)
                @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters")
                @Nullable
                String name,
        @Pattern(regexp = "[a-z0-9-]{1,64}", message = "must be 1-64 characters of a-z, 0-9 and '-'") @Nullable
                String region,
        @Nullable TunnelBackend backend,
        @Size(max = 2048) @Nullable String upstream,
        @Nullable Map<String, String> routes,
        @Size(max = 8192) @Nullable String caCertificatePem) {

    NewTunnel toNewTunnel() {
        if (upstream != null) {
            checkUpstream(upstream);
        }
        return new NewTunnel(
                String.valueOf(name).strip(),
                region,
                backend,
                upstream,
                routes == null ? Map.of() : routes,
                caCertificatePem);
    }

    private static void checkUpstream(String upstream) {
        URI uri;
        try {
            uri = new URI(upstream);
        } catch (java.net.URISyntaxException e) {
            throw new ValidationFailedException("upstream", "must be an absolute http or https URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new ValidationFailedException("upstream", "must be an absolute http or https URL");
        }
        if (uri.getUserInfo() != null) {
            throw new ValidationFailedException("upstream", "must not carry credentials");
        }
    }
}
