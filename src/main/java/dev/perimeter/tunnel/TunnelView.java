package dev.perimeter.tunnel;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A tunnel with its live state as the database records it.
 *
 * @param tunnel the registration
 * @param status connected, disconnected or archived
 * @param connections live agent connections over all replicas
 * @param lastSeenAt when an agent connection last proved alive, or {@code null} if none ever connected
 */
public record TunnelView(Tunnel tunnel, TunnelStatus status, int connections, @Nullable Instant lastSeenAt) {}
