package dev.perimeter.tunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.tunnel.TunnelProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class TunnelLimiterTests {

    private static TunnelLimiter limiter(int maxInFlight, int maxQueued, int maxStreams) {
        return new TunnelLimiter(new TunnelProperties(
                "",
                "",
                "",
                "",
                DataSize.ofMegabytes(16),
                maxInFlight,
                maxQueued,
                Duration.ofSeconds(10),
                maxStreams,
                Duration.ofSeconds(60),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                262_144,
                Duration.ofSeconds(15)));
    }

    @Test
    void keepsNoGateForATunnelWithNothingInFlight() throws InterruptedException {
        TunnelLimiter limiter = limiter(4, 4, 4);
        for (int i = 0; i < 1_000; i++) {
            Runnable call = limiter.acquire("tnl_" + i, Duration.ofSeconds(1));
            Runnable stream = limiter.acquireStream("tnl_" + i);
            assertThat(limiter.trackedTunnels()).isEqualTo(1);
            call.run();
            stream.run();
        }
        assertThat(limiter.trackedTunnels()).isZero();
    }

    @Test
    void refusedCallsAndStreamsLeaveNoGateBehind() throws InterruptedException {
        TunnelLimiter limiter = limiter(1, 0, 1);
        Runnable call = limiter.acquire("tnl_a", Duration.ofMillis(10));
        Runnable stream = limiter.acquireStream("tnl_a");
        assertThatThrownBy(() -> limiter.acquire("tnl_a", Duration.ofMillis(10)))
                .isInstanceOf(TunnelBusyException.class);
        assertThatThrownBy(() -> limiter.acquireStream("tnl_a")).isInstanceOf(TunnelBusyException.class);
        call.run();
        assertThat(limiter.trackedTunnels()).isEqualTo(1);
        stream.run();
        assertThat(limiter.trackedTunnels()).isZero();
    }

    @Test
    void aQueuedCallThatTimesOutLeavesNoGateBehind() throws InterruptedException {
        TunnelLimiter limiter = limiter(1, 1, 1);
        Runnable call = limiter.acquire("tnl_a", Duration.ofMillis(10));
        assertThatThrownBy(() -> limiter.acquire("tnl_a", Duration.ofMillis(20)))
                .isInstanceOf(TunnelBusyException.class);
        call.run();
        assertThat(limiter.trackedTunnels()).isZero();
    }

    /** Gates come and go while calls race: the bound holds throughout and nothing is left at the end. */
    @RepeatedTest(5)
    void theBoundHoldsWhileGatesComeAndGo() throws Exception {
        int maxInFlight = 3;
        TunnelLimiter limiter = limiter(maxInFlight, 1_000, 8);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int t = 0; t < 16; t++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 500; i++) {
                        Runnable release = limiter.acquire("tnl_hot", Duration.ofSeconds(10));
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.onSpinWait();
                        inside.decrementAndGet();
                        release.run();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        assertThat(most.get()).isBetween(1, maxInFlight);
        assertThat(limiter.trackedTunnels()).isZero();
    }
}
