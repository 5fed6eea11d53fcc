package dev.perimeter.tunnel;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a tenant registers.
 *
 * @param name human name
 * @param region where the tunnel terminates; {@code null} for this deployment's region or the tenant's default
 * @param backend who carries the traffic; {@code null} for {@link TunnelBackend#PERIMETER}
 * @param upstream the private MCP server's URL, for the record
 * @param routes for {@link TunnelBackend#ANTHROPIC}: subdomain → private MCP server URL
 * @param caCertificatePem for {@link TunnelBackend#ANTHROPIC}: a CA certificate to register at once
 */
public record NewTunnel(
        String name,
        @Nullable String region,
        @Nullable TunnelBackend backend,
        @Nullable String upstream,
        Map<String, String> routes,
        @Nullable String caCertificatePem) {

    /** A tunnel without routes or certificate. */
    public NewTunnel(String name, @Nullable String region, @Nullable TunnelBackend backend, @Nullable String upstream) {
        this(name, region, backend, upstream, Map.of(), null);
    }
}
