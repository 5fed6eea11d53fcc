package dev.perimeter.provider.modal;

import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.modal.api.GPUConfig;
import dev.perimeter.provider.modal.api.NetworkAccess;
import dev.perimeter.provider.modal.api.NetworkAccess.NetworkAccessType;
import dev.perimeter.provider.modal.api.Resources;
import dev.perimeter.provider.modal.api.Sandbox;
import dev.perimeter.provider.modal.api.SchedulerPlacement;
import dev.perimeter.shared.ValidationFailedException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@link SandboxSpec} into Modal's {@code Sandbox} definition: named with our sandbox id, {@code milli_cpu}
 * from vCPUs (Modal counts physical cores, two vCPUs each), memory in MiB, the GPU as {@code TYPE[:N]}, {@code
 * timeout_secs} in whole seconds capped by {@code MODAL_TIMEOUT_S}, the region as scheduler placement and egress as
 * {@code network_access}.
 */
final class SandboxDefinitions {

    /** The region Perimeter reports when Modal chooses the placement itself. */
    static final String ANY_REGION = "auto";
    /** Where commands run and relative file paths resolve. */
    static final String WORKDIR = "/workspace";

    private static final Pattern GPU = Pattern.compile("([A-Za-z0-9][A-Za-z0-9-]*)(?::([1-9][0-9]?))?");
    private static final Pattern IP = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]*");

    private final Duration maxLifetime;
    private final @Nullable String defaultGpu;

    SandboxDefinitions(Duration maxLifetime, @Nullable String defaultGpu) {
        this.maxLifetime = maxLifetime;
        this.defaultGpu = defaultGpu == null || defaultGpu.isBlank() ? null : defaultGpu.strip();
    }

    Sandbox definition(SandboxSpec spec, String imageId, List<String> secretIds) {
        Sandbox.Builder sandbox = Sandbox.newBuilder()
                .setName(spec.sandboxId())
                .setImageId(imageId)
                .addAllSecretIds(secretIds)
                .setResources(resources(spec.resources()))
                .setTimeoutSecs(timeoutSecs(spec.lifetime()))
                .setWorkdir(WORKDIR)
                .setNetworkAccess(networkAccess(spec.egress()));
        if (!ANY_REGION.equals(spec.region())) {
            sandbox.setSchedulerPlacement(SchedulerPlacement.newBuilder().addRegions(spec.region()));
        }
        return sandbox.build();
    }

    private Resources resources(SandboxSpec.Resources resources) {
        Resources.Builder modal = Resources.newBuilder()
                .setMilliCpu(Math.max(125, resources.vcpus() * 500))
                .setMemoryMb(resources.memoryMib());
        String gpu = resources.gpu() != null ? resources.gpu() : defaultGpu;
        if (gpu != null) {
            modal.setGpuConfig(gpu(gpu));
        }
        return modal.build();
    }

    /** Modal's {@code "TYPE[:N]"}: the type upper-cased, the count 1 when absent. */
    static GPUConfig gpu(String value) {
        var match = GPU.matcher(value.strip());
        if (!match.matches()) {
            throw new ValidationFailedException(
                    "resources.gpu", "must be a Modal GPU as TYPE or TYPE:N, for example T4 or A100-80GB:2");
        }
        int count = match.group(2) == null ? 1 : Integer.parseInt(match.group(2));
        return GPUConfig.newBuilder()
                .setGpuType(match.group(1).toUpperCase(Locale.ROOT))
                .setCount(count)
                .build();
    }

    private int timeoutSecs(Duration lifetime) {
        Duration capped = lifetime.compareTo(maxLifetime) > 0 ? maxLifetime : lifetime;
        long seconds = capped.toSeconds() + (capped.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.max(1, seconds);
    }

    private static NetworkAccess networkAccess(SandboxSpec.Egress egress) {
        return switch (egress.mode()) {
            case DENY_ALL ->
                NetworkAccess.newBuilder()
                        .setNetworkAccessType(NetworkAccessType.BLOCKED)
                        .build();
            case ALLOW_ALL ->
                NetworkAccess.newBuilder()
                        .setNetworkAccessType(NetworkAccessType.OPEN)
                        .build();
            case ALLOWLIST -> {
                NetworkAccess.Builder allow =
                        NetworkAccess.newBuilder().setNetworkAccessType(NetworkAccessType.ALLOWLIST);
                for (String entry : egress.allow()) {
                    String value = entry.strip();
                    if (value.contains("/")) {
                        allow.addAllowedCidrs(value);
                    } else if (IP.matcher(value).matches()) {
                        allow.addAllowedCidrs(value.contains(":") ? value + "/128" : value + "/32");
                    } else {
                        allow.addAllowedDomains(value);
                    }
                }
                yield allow.build();
            }
        };
    }
}
