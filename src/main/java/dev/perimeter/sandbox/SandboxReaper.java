package dev.perimeter.sandbox;

import dev.perimeter.shared.CorrelationId;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
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

    private final SandboxManagement sandboxes;
    private final SnapshotManagement snapshots;
    private final IdempotentRequests idempotency;

    SandboxReaper(SandboxManagement sandboxes, SnapshotManagement snapshots, IdempotentRequests idempotency) {
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
        this.idempotency = idempotency;
    }

    @Scheduled(
            fixedDelayString = "${perimeter.sandbox.reaper-interval:PT15S}",
            initialDelayString = "${perimeter.sandbox.reaper-interval:PT15S}")
    @SchedulerLock(name = "sandbox-reaper", lockAtMostFor = "PT10M")
    void reap() {
        MDC.put(CorrelationId.KEY, CorrelationId.generate());
        try {
            int handled = sandboxes.collect(BATCH) + snapshots.collect(BATCH) + idempotency.forgetExpired();
            if (handled > 0) {
                log.info("Reaper handled {} expired sandboxes, snapshots and idempotency keys", handled);
            }
        } catch (RuntimeException e) {
            log.error("Reaper run failed; the next run retries", e);
        } finally {
            MDC.remove(CorrelationId.KEY);
        }
    }
}
