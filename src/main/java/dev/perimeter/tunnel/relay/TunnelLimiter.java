package dev.perimeter.tunnel.relay;

import dev.perimeter.tunnel.TunnelProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** Bounds the calls one tunnel relays at once on this replica, and how many may wait for a slot. */
@Component
class TunnelLimiter {

    private final Map<String, Gate> gates = new ConcurrentHashMap<>();
    private final int maxInFlight;
    private final int maxQueued;

    TunnelLimiter(TunnelProperties properties) {
        this.maxInFlight = properties.maxInFlight();
        this.maxQueued = properties.maxQueued();
    }

    private record Gate(Semaphore slots, AtomicInteger waiting) {}

    /** Takes a slot, waiting up to {@code wait} behind at most {@code maxQueued} others; answers its release. */
    Runnable acquire(String tunnelId, Duration wait) throws InterruptedException {
        Gate gate =
                gates.computeIfAbsent(tunnelId, id -> new Gate(new Semaphore(maxInFlight, true), new AtomicInteger()));
        if (gate.slots().tryAcquire()) {
            return gate.slots()::release;
        }
        if (gate.waiting().incrementAndGet() > maxQueued) {
            gate.waiting().decrementAndGet();
            throw new TunnelBusyException(maxInFlight, maxQueued);
        }
        try {
            if (!gate.slots().tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TunnelBusyException(maxInFlight, maxQueued);
            }
        } finally {
            gate.waiting().decrementAndGet();
        }
        return gate.slots()::release;
    }
}
