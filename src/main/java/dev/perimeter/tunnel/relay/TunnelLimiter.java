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
 *
 * <p>A tunnel's gate exists only while something holds or waits for one of its places: the last release removes it,
 * so a replica that relays for many tunnels over its life keeps no state for the idle ones. Taking and giving back a
 * gate happen inside the map's atomic {@code compute}, so two gates of one tunnel never exist at once.
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

    /** A tunnel's places; {@code users} is only read and written inside the map's {@code compute}. */
    private static final class Gate {
        private final Semaphore slots;
        private final AtomicInteger waiting = new AtomicInteger();
        private final Semaphore streams;
        private int users;

        private Gate(int maxInFlight, int maxStreams) {
            this.slots = new Semaphore(maxInFlight, true);
            this.streams = new Semaphore(maxStreams);
        }
    }

    /** Takes one of the tunnel's event-stream places without waiting; answers its release. */
    Runnable acquireStream(String tunnelId) {
        Gate gate = enter(tunnelId);
        if (!gate.streams.tryAcquire()) {
            leave(tunnelId);
            throw new TunnelBusyException("event streams", maxStreams, 0);
        }
        return releasing(tunnelId, gate.streams);
    }

    /** Takes a slot, waiting up to {@code wait} behind at most {@code maxQueued} others; answers its release. */
    Runnable acquire(String tunnelId, Duration wait) throws InterruptedException {
        Gate gate = enter(tunnelId);
        boolean acquired = false;
        try {
            acquired = gate.slots.tryAcquire() || awaitSlot(gate, wait);
        } finally {
            if (!acquired) {
                leave(tunnelId);
            }
        }
        return releasing(tunnelId, gate.slots);
    }

    private boolean awaitSlot(Gate gate, Duration wait) throws InterruptedException {
        if (gate.waiting.incrementAndGet() > maxQueued) {
            gate.waiting.decrementAndGet();
            throw new TunnelBusyException("calls", maxInFlight, maxQueued);
        }
        try {
            if (!gate.slots.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TunnelBusyException("calls", maxInFlight, maxQueued);
            }
            return true;
        } finally {
            gate.waiting.decrementAndGet();
        }
    }

    /** Tunnels with a gate right now: those with calls or streams in flight or waiting. */
    int trackedTunnels() {
        return gates.size();
    }

    private Gate enter(String tunnelId) {
        return gates.compute(tunnelId, (id, existing) -> {
            Gate gate = existing != null ? existing : new Gate(maxInFlight, maxStreams);
            gate.users++;
            return gate;
        });
    }

    private void leave(String tunnelId) {
        gates.computeIfPresent(tunnelId, (id, gate) -> --gate.users == 0 ? null : gate);
    }

    private Runnable releasing(String tunnelId, Semaphore places) {
        return () -> {
            places.release();
            leave(tunnelId);
        };
    }
}
