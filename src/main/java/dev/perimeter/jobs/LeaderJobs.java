package dev.perimeter.jobs;

import dev.perimeter.shared.CorrelationId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs a background job on at most one replica at a time, through ShedLock's Postgres lock with the database's
 * clock. A run holds the lock for at least 90% of the job's interval, so a job runs once per tick across all
 * replicas, not once per replica. Each run gets its own correlation id and is counted in {@code perimeter.jobs.runs}
 * by job and outcome ({@code ran}, {@code skipped}, {@code failed}).
 *
 * <p>At shutdown (in the same phase as the web server's graceful shutdown, so both drain within one grace period) no
 * new run starts, the runs in flight are waited for, and their locks are released outright rather than held for the
 * rest of the interval: another replica takes the job on its next tick.
 */
@Component
public class LeaderJobs implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LeaderJobs.class);

    /** Boot's graceful-shutdown phase of the web server: jobs and requests drain side by side. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private final LockProvider locks;
    private final MeterRegistry meters;
    private final Object monitor = new Object();
    private int inFlight;
    private volatile boolean stopping;
    private volatile boolean running;

    LeaderJobs(LockProvider locks, MeterRegistry meters) {
        this.locks = locks;
        this.meters = meters;
    }

    /**
     * Runs the task unless another replica ran this job less than 90% of {@code interval} ago or is running it now, or
     * this replica is shutting down.
     *
     * @param job the lock's name
     * @param interval how often the job is scheduled
     * @param atMost how long a crashed replica may keep the lock
     * @param task the work; an exception is logged and counted, and the next tick retries
     * @return whether the task ran here
     */
    public boolean runExclusively(String job, Duration interval, Duration atMost, Runnable task) {
        Duration atLeast = interval.multipliedBy(9).dividedBy(10);
        MDC.put(CorrelationId.KEY, CorrelationId.generate());
        Timer.Sample sample = Timer.start(meters);
        String outcome = "skipped";
        try {
            if (!enter()) {
                log.debug("Shutting down: job {} is left to another replica", job);
                return false;
            }
            try {
                Optional<SimpleLock> lock = locks.lock(new LockConfiguration(
                        ClockProvider.now(), job, atMost.compareTo(atLeast) > 0 ? atMost : atLeast, atLeast));
                if (lock.isEmpty()) {
                    return false;
                }
                outcome = run(job, task, lock.get());
                return true;
            } finally {
                exit();
            }
        } finally {
            sample.stop(meters.timer("perimeter.jobs.runs", "job", job, "outcome", outcome));
            MDC.remove(CorrelationId.KEY);
        }
    }

    private String run(String job, Runnable task, SimpleLock lock) {
        try {
            task.run();
            return "ran";
        } catch (Throwable e) {
            log.error("Job {} failed; the next tick retries", job, e);
            return "failed";
        } finally {
            release(job, lock);
        }
    }

    private void release(String job, SimpleLock lock) {
        try {
            if (!stopping) {
                lock.unlock();
                return;
            }
            // Shrink the hold to nothing, so the next replica's tick runs the job instead of waiting out the interval.
            lock.extend(Duration.ofSeconds(1), Duration.ZERO).orElse(lock).unlock();
            log.info("Shutting down: released the lock of job {}", job);
        } catch (RuntimeException e) {
            log.warn("Could not release the lock of job {}; it expires by itself: {}", job, e.toString());
        }
    }

    private boolean enter() {
        synchronized (monitor) {
            if (stopping) {
                return false;
            }
            inFlight++;
            return true;
        }
    }

    private void exit() {
        synchronized (monitor) {
            inFlight--;
            monitor.notifyAll();
        }
    }

    /** Whether this replica has stopped starting runs. */
    boolean isStopping() {
        return stopping;
    }

    /** Starts, or restarts after a {@link #stop()} (a paused context), taking runs again. */
    @Override
    public void start() {
        synchronized (monitor) {
            stopping = false;
        }
        running = true;
    }

    @Override
    public void stop() {
        synchronized (monitor) {
            stopping = true;
            while (inFlight > 0) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        synchronized (monitor) {
            stopping = true;
        }
        Thread.ofVirtual().name("leader-jobs-drain").start(() -> {
            stop();
            callback.run();
        });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
