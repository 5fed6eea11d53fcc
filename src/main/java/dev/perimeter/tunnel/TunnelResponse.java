package dev.perimeter.tunnel;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A tunnel as the API shows it; {@code token} appears only in the response that issues it. */
record TunnelResponse(
        String id,
        String name,
        String region,
        TunnelBackend backend,
        @Nullable String upstream,
        TunnelStatus status,
        int connections,
        @Nullable Instant lastSeenAt,
        String mcpUrl,
        String connectUrl,
        Instant createdAt,
        @Nullable Instant tokenRotatedAt,
        @Nullable Instant archivedAt,
        String correlationId,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String token) {

    static TunnelResponse of(TunnelView view, String baseUrl, @Nullable String token) {
        Tunnel tunnel = view.tunnel();
        String path = "/v1/tunnels/" + tunnel.getId();
        String wsBase = baseUrl.replaceFirst("^http", "ws");
        return new TunnelResponse(
                tunnel.getId(),
                tunnel.getName(),
                tunnel.getRegion(),
                tunnel.getBackend(),
                tunnel.getUpstream(),
                view.status(),
                view.connections(),
                view.lastSeenAt(),
                baseUrl + path + "/mcp",
                wsBase + path + "/connect",
                tunnel.getCreatedAt(),
                tunnel.getTokenRotatedAt(),
                tunnel.getArchivedAt(),
                tunnel.getCorrelationId(),
                token);
    }
}
