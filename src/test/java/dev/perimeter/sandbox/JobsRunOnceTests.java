package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Replicas;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Two replicas schedule the same background jobs against one database; the Postgres lock lets each job run once per
 * tick across both, not once per replica.
 */
class JobsRunOnceTests {

    private static final List<String> JOBS = List.of(SandboxReaper.JOB, MeteringJob.JOB, CounterRecountJob.JOB);

    @Test
    void scheduledJobsOfTwoReplicasRunOncePerTick() throws Exception {
        Duration interval = Duration.ofSeconds(1);
        try (Replicas replicas = Replicas.start(
                2,
                Map.of(
                        "perimeter.sandbox.reaper-interval", "PT1S",
                        "perimeter.sandbox.meter-interval", "PT1S",
                        "perimeter.sandbox.recount-interval", "PT1S"))) {
            long started = System.nanoTime();
            Thread.sleep(6_000);
            double ticks = (System.nanoTime() - started) / (double) interval.toNanos();
            for (String job : JOBS) {
                long ran = runs(replicas, job, "ran");
                long skipped = runs(replicas, job, "skipped");
                assertThat(runs(replicas, job, "failed")).as("%s failures", job).isZero();
                assertThat(ran)
                        .as("%s runs over %.1f ticks on two replicas (%d skipped)", job, ticks, skipped)
                        .isBetween(2L, (long) Math.ceil(ticks) + 2);
                assertThat(skipped)
                        .as("%s: the second replica found the lock taken", job)
                        .isPositive();
            }
        }
    }

    @Test
    void aJobStartedOnTwoReplicasAtOnceRunsOnOne() throws Exception {
        try (Replicas replicas = Replicas.start(
                2, Map.of("perimeter.jobs.enabled", "false", "perimeter.sandbox.meter-interval", "PT1S"))) {
            for (int tick = 0; tick < 5; tick++) {
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<Boolean>> runs = List.of(0, 1).stream()
                        .map(replica -> CompletableFuture.supplyAsync(() -> {
                            awaitQuietly(start);
                            return replicas.bean(replica, MeteringJob.class).run();
                        }))
                        .toList();
                start.countDown();
                long ran = runs.stream().filter(CompletableFuture::join).count();
                assertThat(ran).as("tick %d", tick).isEqualTo(1);
                Thread.sleep(1_100);
            }
        }
    }

    private static long runs(Replicas replicas, String job, String outcome) {
        long total = 0;
        for (int replica = 0; replica < 2; replica++) {
            Timer timer = replicas.bean(replica, MeterRegistry.class)
                    .find("perimeter.jobs.runs")
                    .tags("job", job, "outcome", outcome)
                    .timer();
            total += timer == null ? 0 : timer.count();
        }
        return total;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
