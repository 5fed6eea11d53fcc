package dev.perimeter.connector.anthropic.web;

import dev.perimeter.connector.anthropic.NewBinding;
import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Body of {@code POST /v1/connectors/anthropic/environments}. */
record CreateEnvironmentRequest(
        @NotNull @Pattern(regexp = "[a-z0-9-]{3,63}", message = "must be a tenant id") @Nullable String tenantId,
        @NotNull
                @Pattern(regexp = "env_[A-Za-z0-9]{1,124}", message = "must be an Anthropic environment id (env_…)")
                @Nullable
                String environmentId,
        @NotNull @Size(max = 4100, message = "must be at most 4100 characters") @Nullable String environmentKeyRef,
        @Pattern(regexp = "[a-z0-9-]{1,63}", message = "must be a provider name") @Nullable String provider,
        @Pattern(regexp = "[a-z0-9-]{1,63}", message = "must be a region name") @Nullable String region,
        @Pattern(regexp = "[\\x21-\\x7e]{1,512}", message = "must be an image reference") @Nullable String image,
        @Valid @Nullable Resources resources,
        @Nullable Duration timeout,
        @Nullable EgressMode egress,
        @Size(min = 1, max = 64, message = "must have 1 to 64 arguments") @Nullable
                List<@NotBlank @Size(max = 1024) @Pattern(regexp = "[^\\x00]*", message = "must not hold NUL") String>
                        workerCommand) {

    /** Every field the body may have; any other is refused, so that a key sent by mistake is never taken. */
    static final Set<String> FIELDS = Set.of(
            "tenantId",
            "environmentId",
            "environmentKeyRef",
            "provider",
            "region",
            "image",
            "resources",
            "timeout",
            "egress",
            "workerCommand");

    /** Requested size. */
    record Resources(
            @NotNull @Min(1) @Max(64) @Nullable Integer vcpus,
            @NotNull @Min(128) @Max(1_048_576) @Nullable Integer memoryMib) {}

    NewBinding toNewBinding() {
        return new NewBinding(
                Objects.requireNonNull(tenantId),
                Objects.requireNonNull(environmentId),
                Objects.requireNonNull(environmentKeyRef),
                provider,
                region,
                image,
                resources == null
                        ? null
                        : new SandboxSpec.Resources(
                                Objects.requireNonNull(resources.vcpus()),
                                Objects.requireNonNull(resources.memoryMib()),
                                null),
                timeout,
                egress,
                workerCommand);
    }
}
