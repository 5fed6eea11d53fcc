package dev.perimeter.provider.kubernetes;

import java.nio.file.Path;
import java.time.Duration;

/** Provider settings for tests against a {@link FakeCluster}. */
final class KubernetesTesting {

    private KubernetesTesting() {}

    static KubernetesProviderProperties properties(Path snapshotDir, String runtimeClass) {
        return properties(snapshotDir, runtimeClass, null, Duration.ofSeconds(10));
    }

    /** Settings that claim sandboxes from {@code warmPool}, waiting {@code claimReady} for a claim to be bound. */
    static KubernetesProviderProperties properties(
            Path snapshotDir, String runtimeClass, String warmPool, Duration claimReady) {
        return new KubernetesProviderProperties(
                true,
                FakeCluster.NAMESPACE,
                runtimeClass,
                "debian:bookworm-slim",
                "cluster",
                snapshotDir,
                warmPool,
                new KubernetesProviderProperties.Timeouts(
                        Duration.ofSeconds(10),
                        Duration.ofMillis(20),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30),
                        1 << 30,
                        claimReady));
    }
}
