package dev.perimeter.jobs;

import dev.perimeter.shared.CorrelationId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Runs a background job on at most one replica at a time, through ShedLock's Postgres lock with the database's
 * clock. A run holds the lock for at least 90% of the job's interval, so a job runs once per tick across all
 * replicas, not once per replica. Each run gets its own correlation id and is counted in {@code perimeter.jobs.runs}
 * by job and outcome ({@code ran}, {@code skipped}, {@code failed}).
 */
@Component
public class LeaderJobs {

    private static final Logger log = LoggerFactory.getLogger(LeaderJobs.class);

    private final LockingTaskExecutor executor;
    private final MeterRegistry meters;

    LeaderJobs(LockingTaskExecutor executor, MeterRegistry meters) {
        this.executor = executor;
        this.meters = meters;
    }

    /**
     * Runs the task unless another replica ran this job less than 90% of {@code interval} ago or is running it now.
     *
     * @param job the lock's name
     * @param interval how often the job is scheduled
     * @param atMost how long a crashed replica may keep the lock
     * @param task the work; an exception is logged and counted, and the next tick retries
     * @return whether the task ran here
     */
    public boolean runExclusively(String job, Duration interval, Duration atMost, Runnable task) {
        Duration atLeast = interval.multipliedBy(9).dividedBy(10);
        LockConfiguration lock = new LockConfiguration(
                ClockProvider.now(), job, atMost.compareTo(atLeast) > 0 ? atMost : atLeast, atLeast);
        MDC.put(CorrelationId.KEY, CorrelationId.generate());
        Timer.Sample sample = Timer.start(meters);
        String outcome = "skipped";
        try {
            LockingTaskExecutor.TaskResult<Boolean> result = executor.executeWithLock(
                    () -> {
                        task.run();
                        return Boolean.TRUE;
                    },
                    lock);
            outcome = result.wasExecuted() ? "ran" : "skipped";
            return result.wasExecuted();
        } catch (Throwable e) {
            outcome = "failed";
            log.error("Job {} failed; the next tick retries", job, e);
            return true;
        } finally {
            sample.stop(meters.timer("perimeter.jobs.runs", "job", job, "outcome", outcome));
            MDC.remove(CorrelationId.KEY);
        }
    }
}
