package dev.perimeter.sandbox.web;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.sandbox.NewSandbox;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Body of {@code POST /v1/sandboxes}; every field is optional. */
record CreateSandboxRequest(
        @Pattern(regexp = "[A-Za-z0-9._:@-]{1,128}", message = "must be 1 to 128 characters of A-Z, a-z, 0-9 and ._:@-")
                @Nullable
                String agentId,
        @Pattern(regexp = "[a-z0-9-]{1,63}", message = "must be a provider name") @Nullable String provider,
        @Pattern(regexp = "[a-z0-9-]{1,63}", message = "must be a region name") @Nullable String region,
        @Pattern(regexp = "[\\x21-\\x7e]{1,512}", message = "must be an image reference") @Nullable String image,
        @Valid @Nullable ResourcesRequest resources,
        @Nullable Duration timeout,
        @Size(max = EnvironmentVariables.MAX_COUNT) @Nullable
                Map<
                                @Pattern(
                                        regexp = EnvironmentVariables.NAME,
                                        message = EnvironmentVariables.NAME_MESSAGE)
                                String,
                                @NotNull @Size(max = EnvironmentVariables.MAX_VALUE_LENGTH) String>
                        env,
        @Size(max = 64) @Nullable
                Map<
                                @Pattern(
                                        regexp = "[A-Za-z0-9._/-]{1,63}",
                                        message = "keys must be 1 to 63 of A-Z a-z 0-9 ._/-")
                                String,
                                @NotNull @Size(max = 256) String>
                        labels,
        @Pattern(regexp = "snap_[a-z0-9]{1,59}", message = "must be a snapshot id") @Nullable String fromSnapshot,
        @Valid @Nullable EgressRequest egress) {

    /** Requested size. */
    record ResourcesRequest(
            @NotNull @Min(1) @Max(64) @Nullable Integer vcpus,
            @NotNull @Min(128) @Max(1_048_576) @Nullable Integer memoryMib,
            @Pattern(regexp = "[A-Za-z0-9:_.-]{1,64}", message = "must be a GPU type") @Nullable String gpu) {}

    /** Requested network policy. */
    record EgressRequest(
            @NotNull @Nullable EgressMode mode,
            @Size(max = 256) @Nullable
                    List<
                                    @NotBlank
                                    @Pattern(
                                            regexp = "[A-Za-z0-9.:*/_-]{1,253}",
                                            message = "must be a host name or CIDR")
                                    String>
                            allow) {}

    NewSandbox toNewSandbox() {
        return new NewSandbox(
                agentId,
                provider,
                region,
                image,
                resources == null
                        ? null
                        : new SandboxSpec.Resources(resources.vcpus(), resources.memoryMib(), resources.gpu()),
                timeout,
                env == null ? Map.of() : env,
                labels == null ? Map.of() : labels,
                fromSnapshot,
                egress == null
                        ? null
                        : new SandboxSpec.Egress(egress.mode(), egress.allow() == null ? List.of() : egress.allow()));
    }
}
