package dev.perimeter.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Replicas;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A replica that shuts down while it runs a leader-locked job lets the run finish, then gives the lock up at once: the
 * other replica takes the job on its next attempt instead of waiting out the hour the lock would otherwise be held.
 */
class LeaderJobsShutdownTests {

    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void closingAReplicaFinishesItsRunAndHandsTheLockOver() throws Exception {
        try (Replicas replicas = Replicas.start(2, Map.of("perimeter.jobs.enabled", "false"));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            String job = "shutdown-test-" + UUID.randomUUID();
            LeaderJobs leaving = replicas.bean(0, LeaderJobs.class);
            LeaderJobs staying = replicas.bean(1, LeaderJobs.class);
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            AtomicBoolean finished = new AtomicBoolean();

            CompletableFuture<Boolean> run = CompletableFuture.supplyAsync(
                    () -> leaving.runExclusively(job, HOUR, HOUR, () -> {
                        entered.countDown();
                        await(finish);
                        finished.set(true);
                    }),
                    threads);
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(staying.runExclusively(job, HOUR, HOUR, () -> {}))
                    .as("the lock is held while the run is in flight")
                    .isFalse();

            ConfigurableApplicationContext context = replicas.contexts().get(0);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close, threads);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(leaving::isStopping);
            assertThat(leaving.runExclusively("another-" + job, HOUR, HOUR, () -> {}))
                    .as("a replica that is shutting down starts no new run")
                    .isFalse();
            assertThat(closing).as("the context waits for the run in flight").isNotDone();

            finish.countDown();
            closing.get(30, TimeUnit.SECONDS);
            assertThat(run.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(finished).isTrue();
            assertThat(staying.runExclusively(job, HOUR, HOUR, () -> {}))
                    .as("the other replica takes the job at once")
                    .isTrue();
        }
    }

    @Test
    void aStoppedReplicaRunsJobsAgainOnceRestarted() {
        try (Replicas replicas = Replicas.start(1, Map.of("perimeter.jobs.enabled", "false"))) {
            String job = "restart-test-" + UUID.randomUUID();
            LeaderJobs jobs = replicas.bean(0, LeaderJobs.class);
            ConfigurableApplicationContext context = replicas.contexts().getFirst();
            context.stop();
            assertThat(jobs.runExclusively(job, HOUR, HOUR, () -> {})).isFalse();
            context.start();
            assertThat(jobs.runExclusively(job, HOUR, HOUR, () -> {}))
                    .as("a context paused by the test cache, or stopped and started, takes runs again")
                    .isTrue();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
