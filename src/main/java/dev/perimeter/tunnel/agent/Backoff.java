package dev.perimeter.tunnel.agent;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th wait is uniform in [0, min(max, base·2ⁿ)], so agents that lost their
 * connections at the same moment spread their reconnects instead of retrying in lockstep. A connection that stayed up
 * for the stable period resets the exponent.
 */
final class Backoff {

    private final Duration base;
    private final Duration max;
    private final Duration stable;
    private final RandomGenerator random;
    private int attempt;

    Backoff(Duration base, Duration max, Duration stable, RandomGenerator random) {
        this.base = base;
        this.max = max;
        this.stable = stable;
        this.random = random;
    }

    /** The wait before the next attempt. */
    Duration next() {
        long cap = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt, 30));
        attempt++;
        return Duration.ofMillis(random.nextLong(Math.max(1, cap) + 1));
    }

    /** A connection ended after {@code uptime}; a stable one starts the backoff over. */
    void connectedFor(Duration uptime) {
        if (uptime.compareTo(stable) >= 0) {
            attempt = 0;
        }
    }

    int attempt() {
        return attempt;
    }
}
