package dev.perimeter.provider.kubernetes;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the {@code kubernetes} provider. The provider is registered only when {@code enabled} is set; the cluster
 * connection itself comes from fabric8's auto-configuration (the Pod's service account in-cluster, else
 * {@code ~/.kube/config} or {@code KUBECONFIG}), so no credential passes through these settings.
 *
 * @param enabled whether to register the provider ({@code KUBERNETES_SANDBOX_ENABLED})
 * @param namespace the namespace sandbox Pods and their NetworkPolicies are made in ({@code
 *     KUBERNETES_SANDBOX_NAMESPACE})
 * @param runtimeClass the RuntimeClass sandbox Pods run with, e.g. {@code gvisor} or {@code kata}; {@code null} for the
 *     cluster's default runtime ({@code KUBERNETES_RUNTIME_CLASS})
 * @param image the image of a sandbox whose request names none ({@code KUBERNETES_SANDBOX_IMAGE}); it needs {@code sh},
 *     {@code head}, {@code cat}, {@code wc}, {@code tar}, {@code realpath} and {@code timeout}
 * @param region the name the cluster is offered under as Perimeter's one region ({@code KUBERNETES_REGION})
 * @param snapshotDir where workspace tars are kept; it must be shared by every replica ({@code
 *     KUBERNETES_SNAPSHOT_DIR})
 * @param warmPool the agent-sandbox {@code SandboxWarmPool} in {@code namespace} that sandboxes are claimed from
 *     instead of being made as bare Pods; {@code null} or blank for bare Pods ({@code KUBERNETES_WARM_POOL})
 * @param timeouts how patient to be with the cluster
 */
@Validated
@ConfigurationProperties("perimeter.providers.kubernetes")
record KubernetesProviderProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("perimeter-sandboxes") @NotBlank String namespace,
        @Nullable String runtimeClass,
        @DefaultValue("debian:bookworm-slim") @NotBlank String image,
        @DefaultValue("cluster") @NotBlank String region,
        @DefaultValue(".perimeter/kubernetes-snapshots") @NotNull Path snapshotDir,
        @Nullable String warmPool,
        @DefaultValue @Valid Timeouts timeouts) {

    /** The RuntimeClass to set on Pods; a blank setting means the cluster's default. */
    @Nullable
    String runtimeClassName() {
        return runtimeClass == null || runtimeClass.isBlank() ? null : runtimeClass;
    }

    /** The warm pool to claim sandboxes from; {@code null} (a blank setting too) for bare Pods. */
    @Nullable
    String warmPoolName() {
        return warmPool == null || warmPool.isBlank() ? null : warmPool;
    }

    /**
     * Bounds on waiting for the cluster.
     *
     * @param ready how long a create waits for the Pod to become Ready before answering it as provisioning
     * @param poll between looks at a Pod that is not Ready yet
     * @param execGrace added to a command's own timeout before Perimeter gives up on the exec stream
     * @param transfer the longest a file or snapshot transfer may take
     * @param maxSnapshotBytes the largest workspace tar a snapshot keeps
     * @param claimReady how long a create waits for a {@code SandboxClaim} to be bound to a Ready sandbox before it
     *     gives the claim up and fails ({@code KUBERNETES_CLAIM_READY_TIMEOUT})
     */
    record Timeouts(
            @DefaultValue("2m") @NotNull Duration ready,
            @DefaultValue("250ms") @NotNull Duration poll,
            @DefaultValue("10s") @NotNull Duration execGrace,
            @DefaultValue("5m") @NotNull Duration transfer,
            @DefaultValue("1073741824") @Min(1) long maxSnapshotBytes,
            @DefaultValue("2m") @NotNull Duration claimReady) {}
}
