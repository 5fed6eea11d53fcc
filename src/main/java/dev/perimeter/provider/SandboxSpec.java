package dev.perimeter.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything a provider needs to provision one sandbox.
 *
 * @param sandboxId our id; the provider names or labels its resource with it
 * @param tenantId the owning tenant, for labels
 * @param correlationId the request's correlation id, passed to the vendor as a header or label
 * @param region where to place it
 * @param image the container image, or {@code null} for the provider's default
 * @param resources requested size
 * @param egress network policy
 * @param env environment variables set for every command
 * @param labels the caller's labels
 * @param lifetime how long it may live before the control plane destroys it
 * @param fromSnapshotRef the provider reference of a snapshot to restore, or {@code null}
 */
public record SandboxSpec(
        String sandboxId,
        String tenantId,
        String correlationId,
        String region,
        @Nullable String image,
        Resources resources,
        Egress egress,
        Map<String, String> env,
        Map<String, String> labels,
        Duration lifetime,
        @Nullable String fromSnapshotRef) {

    public SandboxSpec {
        env = Map.copyOf(env);
        labels = Map.copyOf(labels);
    }

    /**
     * Requested size of a sandbox.
     *
     * @param vcpus virtual CPUs
     * @param memoryMib memory in MiB
     * @param gpu a GPU type such as {@code T4}, or {@code null} for none
     */
    public record Resources(int vcpus, int memoryMib, @Nullable String gpu) {}

    /**
     * Network policy.
     *
     * @param mode how much of the network is reachable
     * @param allow hosts or CIDRs, for {@link EgressMode#ALLOWLIST}
     */
    public record Egress(EgressMode mode, List<String> allow) {

        public Egress {
            allow = List.copyOf(allow);
        }

        /** No network: the default. */
        public static Egress denyAll() {
            return new Egress(EgressMode.DENY_ALL, List.of());
        }
    }
}
