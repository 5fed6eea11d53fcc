package dev.perimeter.tunnel;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of MCP tunnels.
 *
 * @param region the region this deployment serves ({@code SANDBOX_REGION}); when set, tunnels of another region are
 *     refused here. Empty serves any region.
 * @param publicUrl base URL orchestrators and agents reach Perimeter at, for {@code mcpUrl} and {@code connectUrl};
 *     empty derives it from each request
 * @param replicaUrl this replica's internal address, where other replicas forward calls for the agents connected
 *     here; empty means {@code http://<host address>:<server port>}
 * @param forwardingSecret shared secret replicas present to each other when forwarding ({@code
 *     PERIMETER_REPLICA_SECRET}); empty switches forwarding off
 * @param maxMessage largest request body relayed; larger ones answer 413
 * @param maxInFlight calls ({@code POST}, {@code DELETE}) relayed at once per tunnel on one replica
 * @param maxQueued calls waiting for a slot per tunnel on one replica; more answer 429 {@code tunnel-busy}
 * @param queueTimeout how long a queued call waits for a slot before it answers 429 {@code tunnel-busy}
 * @param maxStreams open {@code GET} event streams (the server-to-client channel each MCP session may hold for as long
 *     as it lives) per tunnel on one replica; they do not take call slots, and more answer 429 at once
 * @param responseTimeout how long a call waits for the upstream's response head (and for a slot)
 * @param heartbeatInterval how often each side pings the other and the connection rows are refreshed
 * @param heartbeatTolerance silence after which a connection is taken for dead
 * @param streamWindow bytes a stream may send before the receiver grants more (flow control)
 * @param eventStreamKeepAlive silence after which the relay writes an SSE comment ({@code : keep-alive}) into an event
 *     stream, between events only: a caller that has gone away is noticed then rather than at the next event, and
 *     proxies on the way that drop idle connections see traffic
 */
@ConfigurationProperties("perimeter.tunnels")
@Validated
public record TunnelProperties(
        @DefaultValue("") String region,
        @DefaultValue("") String publicUrl,
        @DefaultValue("") String replicaUrl,
        @DefaultValue("") String forwardingSecret,
        @DefaultValue("16MB") DataSize maxMessage,
        @DefaultValue("32") @Min(1) @Max(10_000) int maxInFlight,
        @DefaultValue("64") @Min(0) @Max(100_000) int maxQueued,
        @DefaultValue("PT10S") Duration queueTimeout,
        @DefaultValue("256") @Min(1) @Max(100_000) int maxStreams,
        @DefaultValue("PT60S") Duration responseTimeout,
        @DefaultValue("PT10S") Duration heartbeatInterval,
        @DefaultValue("PT30S") Duration heartbeatTolerance,
        @DefaultValue("262144") @Min(16_384) @Max(67_108_864) int streamWindow,
        @DefaultValue("PT15S") Duration eventStreamKeepAlive) {}
