package dev.perimeter.tenant.web;

import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.Quota;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A tenant's limits as the API reads and writes them; {@code null} is unlimited. */
record QuotaBody(
        @PositiveOrZero @Max(MAX_COUNT) @Nullable Integer maxParallelSandboxes,
        @PositiveOrZero @Max(MAX_COUNT) @Nullable Integer maxParallelSandboxesPerAgent,
        @Nullable Duration maxSandboxLifetime,
        @Positive @Max(1024) @Nullable Integer maxVcpusPerSandbox,
        @Positive @Max(16 * 1024 * 1024) @Nullable Integer maxMemoryMibPerSandbox,
        @PositiveOrZero @Max(MAX_COUNT) @Nullable Integer maxSnapshots,
        @PositiveOrZero @Max(MAX_COUNT) @Nullable Integer maxTunnels) {

    static final int MAX_COUNT = 1_000_000;
    static final Duration LONGEST_LIFETIME = Duration.ofDays(366);

    static QuotaBody of(Quota quota) {
        return new QuotaBody(
                quota.maxParallelSandboxes(),
                quota.maxParallelSandboxesPerAgent(),
                quota.maxSandboxLifetime(),
                quota.maxVcpusPerSandbox(),
                quota.maxMemoryMibPerSandbox(),
                quota.maxSnapshots(),
                quota.maxTunnels());
    }

    /** The quota; {@code field} names this body in error messages. */
    Quota toQuota(String field) {
        if (maxSandboxLifetime != null && (maxSandboxLifetime.isNegative() || maxSandboxLifetime.isZero())) {
            throw new ValidationFailedException(field + "maxSandboxLifetime", "must be a positive duration");
        }
        if (maxSandboxLifetime != null && maxSandboxLifetime.compareTo(LONGEST_LIFETIME) > 0) {
            throw new ValidationFailedException(field + "maxSandboxLifetime", "must be at most " + LONGEST_LIFETIME);
        }
        return new Quota(
                maxParallelSandboxes,
                maxParallelSandboxesPerAgent,
                maxSandboxLifetime,
                maxVcpusPerSandbox,
                maxMemoryMibPerSandbox,
                maxSnapshots,
                maxTunnels);
    }
}
