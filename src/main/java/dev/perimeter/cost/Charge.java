package dev.perimeter.cost;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One metered interval, as the ledger records it.
 *
 * @param tenantId who pays
 * @param provider where it ran
 * @param kind what is charged
 * @param sandboxId the sandbox, for {@code CREATE} and {@code RUNTIME}
 * @param snapshotId the snapshot, for {@code SNAPSHOT_STORAGE}
 * @param from start of the interval
 * @param to end of the interval; it decides the budget period the charge falls in
 * @param sandboxSeconds seconds the sandbox ran
 * @param vcpuSeconds vCPU-seconds
 * @param memoryGibSeconds GiB-seconds of memory
 * @param gpuSeconds GPU-seconds
 * @param costUsd what it costs, at the ledger's scale
 */
public record Charge(
        String tenantId,
        String provider,
        Kind kind,
        @Nullable String sandboxId,
        @Nullable String snapshotId,
        Instant from,
        Instant to,
        BigDecimal sandboxSeconds,
        BigDecimal vcpuSeconds,
        BigDecimal memoryGibSeconds,
        BigDecimal gpuSeconds,
        BigDecimal costUsd) {

    /** What a ledger row charges for. */
    public enum Kind {
        /** The provider's fee per sandbox created. */
        CREATE,
        /** Seconds a sandbox ran. */
        RUNTIME,
        /** Storage of a snapshot. */
        SNAPSHOT_STORAGE
    }
}
