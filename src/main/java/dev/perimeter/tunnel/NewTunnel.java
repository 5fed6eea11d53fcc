package dev.perimeter.tunnel;

import org.jspecify.annotations.Nullable;

/**
 * What a tenant registers.
 *
 * @param name human name
 * @param region where the tunnel terminates; {@code null} for this deployment's region or the tenant's default
 * @param backend who carries the traffic; {@code null} for {@link TunnelBackend#PERIMETER}
 * @param upstream the private MCP server's URL, for the record
 */
public record NewTunnel(
        String name, @Nullable String region, @Nullable TunnelBackend backend, @Nullable String upstream) {}
