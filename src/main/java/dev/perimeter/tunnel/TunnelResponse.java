package dev.perimeter.tunnel;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A tunnel as the API shows it; {@code token} appears only in the response that issues it. An Anthropic tunnel has no
 * {@code mcpUrl}, {@code connectUrl} or token here; it has {@code anthropicTunnelId}, {@code domain} and {@code routes}.
 */
record TunnelResponse(
        String id,
        String name,
        String region,
        TunnelBackend backend,
        @Nullable String upstream,
        TunnelStatus status,
        int connections,
        @Nullable Instant lastSeenAt,
        @Nullable String mcpUrl,
        @Nullable String connectUrl,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String anthropicTunnelId,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String domain,
        Map<String, String> routes,
        Instant createdAt,
        @Nullable Instant tokenRotatedAt,
        @Nullable Instant archivedAt,
        String correlationId,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String token) {

    static TunnelResponse of(TunnelView view, String baseUrl, @Nullable String token) {
        Tunnel tunnel = view.tunnel();
        String path = "/v1/tunnels/" + tunnel.getId();
        String wsBase = baseUrl.replaceFirst("^http", "ws");
        boolean anthropic = tunnel.getBackend() == TunnelBackend.ANTHROPIC;
        return new TunnelResponse(
                tunnel.getId(),
                tunnel.getName(),
                tunnel.getRegion(),
                tunnel.getBackend(),
                tunnel.getUpstream(),
                view.status(),
                view.connections(),
                view.lastSeenAt(),
                anthropic ? null : baseUrl + path + "/mcp",
                anthropic ? null : wsBase + path + "/connect",
                tunnel.getAnthropicTunnelId(),
                tunnel.getDomain(),
                tunnel.getRoutes(),
                tunnel.getCreatedAt(),
                tunnel.getTokenRotatedAt(),
                tunnel.getArchivedAt(),
                tunnel.getCorrelationId(),
                token);
    }
}
