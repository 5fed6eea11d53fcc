package dev.perimeter.connector.anthropic.web;

import dev.perimeter.connector.anthropic.EnvironmentBinding;
import dev.perimeter.provider.EgressMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A binding as the API shows it: the key's reference, never the key, and its live session count. */
record EnvironmentResponse(
        String id,
        String tenantId,
        String environmentId,
        String environmentKeyRef,
        @Nullable String provider,
        @Nullable String region,
        @Nullable String image,
        @Nullable Resources resources,
        @Nullable Duration timeout,
        EgressMode egress,
        List<String> workerCommand,
        String status,
        Instant createdAt,
        @Nullable Instant lastPolledAt,
        @Nullable String lastError,
        long sessionsRunning) {

    record Resources(int vcpus, int memoryMib) {}

    static EnvironmentResponse of(EnvironmentBinding binding, long sessionsRunning) {
        return new EnvironmentResponse(
                binding.id(),
                binding.tenantId(),
                binding.environmentId(),
                binding.environmentKeyRef(),
                binding.provider(),
                binding.region(),
                binding.image(),
                binding.resources() == null
                        ? null
                        : new Resources(
                                binding.resources().vcpus(), binding.resources().memoryMib()),
                binding.lifetime(),
                binding.egress(),
                binding.workerCommand(),
                binding.status(),
                binding.createdAt(),
                binding.lastPolledAt(),
                binding.lastError(),
                sessionsRunning);
    }
}
