package dev.perimeter.tunnel.relay;

import dev.perimeter.tunnel.TunnelProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Bounds what one tunnel relays at once on this replica: calls, with a short queue in front of them, and long-lived
 * {@code GET} event streams, which have their own bound so that idle MCP sessions never starve calls.
 */
@Component
class TunnelLimiter {

    private final Map<String, Gate> gates = new ConcurrentHashMap<>();
    private final int maxInFlight;
    private final int maxQueued;
    private final int maxStreams;

    TunnelLimiter(TunnelProperties properties) {
        this.maxInFlight = properties.maxInFlight();
        this.maxQueued = properties.maxQueued();
        this.maxStreams = properties.maxStreams();
    }

    private record Gate(Semaphore slots, AtomicInteger waiting, Semaphore streams) {}

    private Gate gate(String tunnelId) {
        return gates.computeIfAbsent(
                tunnelId,
                id -> new Gate(new Semaphore(maxInFlight, true), new AtomicInteger(), new Semaphore(maxStreams)));
    }

    /** Takes one of the tunnel's event-stream places without waiting; answers its release. */
    Runnable acquireStream(String tunnelId) {
        Gate gate = gate(tunnelId);
        if (!gate.streams().tryAcquire()) {
            throw new TunnelBusyException("event streams", maxStreams, 0);
        }
        return gate.streams()::release;
    }

    /** Takes a slot, waiting up to {@code wait} behind at most {@code maxQueued} others; answers its release. */
    Runnable acquire(String tunnelId, Duration wait) throws InterruptedException {
        Gate gate = gate(tunnelId);
        if (gate.slots().tryAcquire()) {
            return gate.slots()::release;
        }
        if (gate.waiting().incrementAndGet() > maxQueued) {
            gate.waiting().decrementAndGet();
            throw new TunnelBusyException("calls", maxInFlight, maxQueued);
        }
        try {
            if (!gate.slots().tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TunnelBusyException("calls", maxInFlight, maxQueued);
            }
        } finally {
            gate.waiting().decrementAndGet();
        }
        return gate.slots()::release;
    }
}
