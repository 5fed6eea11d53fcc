package dev.perimeter.connector.anthropic;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an admin asks to bind; {@code null} means "the default". Field meanings as in {@link EnvironmentBinding}.
 */
public record NewBinding(
        String tenantId,
        String environmentId,
        String environmentKeyRef,
        @Nullable String provider,
        @Nullable String region,
        @Nullable String image,
        SandboxSpec.@Nullable Resources resources,
        @Nullable Duration lifetime,
        @Nullable EgressMode egress,
        @Nullable List<String> workerCommand) {}
