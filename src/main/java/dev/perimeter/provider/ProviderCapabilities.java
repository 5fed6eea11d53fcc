package dev.perimeter.provider;

import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a provider can honour. The API refuses a request that needs a capability the provider lacks with {@code
 * capability-unsupported}.
 *
 * @param snapshots whether workspaces can be snapshotted and restored
 * @param snapshotPersistence what a snapshot really is on this provider
 * @param egressModes the egress modes the provider can enforce
 * @param gpu whether GPUs can be requested
 * @param customImages whether {@code image} may name a container image
 * @param regions the regions sandboxes can be placed in
 * @param maxLifetime the longest a sandbox may live on this provider, or {@code null} for no limit
 * @param isolated whether sandboxes are isolated from the host; {@code false} only when an operator switched it off
 */
public record ProviderCapabilities(
        boolean snapshots,
        SnapshotPersistence snapshotPersistence,
        Set<EgressMode> egressModes,
        boolean gpu,
        boolean customImages,
        Set<String> regions,
        @Nullable Duration maxLifetime,
        boolean isolated) {

    public ProviderCapabilities {
        egressModes = Set.copyOf(egressModes);
        regions = Set.copyOf(regions);
    }
}
