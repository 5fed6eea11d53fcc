package dev.perimeter.sandbox;

import dev.perimeter.jobs.LeaderJobs;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Destroys sandboxes past {@code expiresAt} ({@code endReason: EXPIRED}), retries destroys that failed, expires
 * snapshots past their TTL and forgets idempotency keys older than 24 hours. One replica at a time runs it.
 */
@Component
class SandboxReaper {

    private static final Logger log = LoggerFactory.getLogger(SandboxReaper.class);
    private static final int BATCH = 100;
    static final String JOB = "sandbox-reaper";

    private final SandboxManagement sandboxes;
    private final SnapshotManagement snapshots;
    private final IdempotentRequests idempotency;
    private final LeaderJobs jobs;
    private final SandboxProperties properties;

    SandboxReaper(
            SandboxManagement sandboxes,
            SnapshotManagement snapshots,
            IdempotentRequests idempotency,
            LeaderJobs jobs,
            SandboxProperties properties) {
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
        this.idempotency = idempotency;
        this.jobs = jobs;
        this.properties = properties;
    }

    @Scheduled(
            fixedDelayString = "${perimeter.sandbox.reaper-interval:PT15S}",
            initialDelayString = "${perimeter.sandbox.reaper-interval:PT15S}")
    void scheduled() {
        reap();
    }

    /** One run, unless another replica has the lock; answers whether it ran here. */
    boolean reap() {
        return jobs.runExclusively(JOB, properties.reaperInterval(), Duration.ofMinutes(10), () -> {
            int handled = sandboxes.collect(BATCH) + snapshots.collect(BATCH) + idempotency.forgetExpired();
            if (handled > 0) {
                log.info("Reaper handled {} expired sandboxes, snapshots and idempotency keys", handled);
            }
        });
    }
}
