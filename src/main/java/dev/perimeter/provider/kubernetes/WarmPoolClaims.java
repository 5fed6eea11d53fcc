package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.shared.CapabilityUnsupportedException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sandboxes claimed from an agent-sandbox {@code SandboxWarmPool}: a {@code SandboxClaim} named and labelled from our
 * sandbox id, bound by the agent-sandbox controller to a pre-warmed Sandbox and its Pod. Once the claim is Ready the
 * Pod, its container and uid are recorded on the claim, so later calls find the Pod with one read and notice a Pod the
 * controller replaced (an empty workspace) as lost.
 */
final class WarmPoolClaims {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

    private final KubernetesClient client;
    private final String namespace;
    private final WarmPoolCheck check;
    private final PodReadiness readiness;
    private final KubernetesProviderProperties.Timeouts timeouts;
    private final Clock clock;

    WarmPoolClaims(
            KubernetesClient client,
            String namespace,
            WarmPoolCheck check,
            PodReadiness readiness,
            KubernetesProviderProperties.Timeouts timeouts,
            Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.check = check;
        this.readiness = readiness;
        this.timeouts = timeouts;
        this.clock = clock;
    }

    /** The bound Pod of a claim, with the restore already done into it, if any. */
    record Bound(PodTarget target, String restoredFrom) {}

    /**
     * Claims a sandbox from the pool, or finds the claim an earlier call made, and waits within {@code
     * timeouts.claimReady} for the controller to bind it to a Ready sandbox. A claim still unbound then is deleted and
     * the create fails.
     */
    Bound create(SandboxSpec spec) {
        WarmPoolCheck.Pool pool = check.pool();
        if (spec.image() != null && !spec.image().equals(pool.image())) {
            throw new CapabilityUnsupportedException(
                    KubernetesSandboxProvider.TYPE,
                    "image",
                    "Sandboxes come from warm pool '" + pool.name() + "', whose template runs " + pool.image()
                            + "; another image cannot be claimed from it");
        }
        String name = SandboxPods.name(spec.sandboxId());
        GenericKubernetesResource claim = call(
                "look up sandbox claim " + name, () -> claims().withName(name).get());
        if (claim == null) {
            claim = createClaim(AgentSandboxApi.claim(
                    spec,
                    pool.name(),
                    clock.instant().plus(spec.lifetime()),
                    JSON.writeValueAsString(new TreeMap<>(spec.env()))));
        }
        GenericKubernetesResource owner = claim;
        call("create network policy " + name, () -> client.network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace)
                .resource(EgressPolicies.claimPolicy(spec, owner.getMetadata().getUid(), ownerReference(owner)))
                .createOr(policy -> policy.update()));
        Bound bound = recorded(claim);
        return bound != null ? bound : bind(awaitReady(name));
    }

    /** The claim's state: its recorded Pod's, {@code UNKNOWN} once that Pod is gone or replaced; {@code null} if no claim. */
    @Nullable
    SandboxStatus status(String ref) {
        GenericKubernetesResource claim = get(ref);
        if (claim == null) {
            return null;
        }
        if (claim.getMetadata().getDeletionTimestamp() != null) {
            return SandboxStatus.STOPPED;
        }
        Bound bound = recorded(claim);
        if (bound == null) {
            return SandboxStatus.PROVISIONING;
        }
        Pod pod = call("look up pod " + bound.target().pod(), () -> client.pods()
                .inNamespace(namespace)
                .withName(bound.target().pod())
                .get());
        if (pod == null
                || !pod.getMetadata()
                        .getUid()
                        .equals(AgentSandboxApi.annotation(claim, AgentSandboxApi.BOUND_POD_UID))) {
            return SandboxStatus.UNKNOWN;
        }
        return readiness.status(pod);
    }

    /** Where a claimed sandbox's commands run; {@code null} when there is no such claim. */
    @Nullable
    Bound target(String ref) {
        GenericKubernetesResource claim = get(ref);
        if (claim == null) {
            return null;
        }
        Bound bound = recorded(claim);
        if (bound == null) {
            throw new ProviderErrorException(
                    KubernetesSandboxProvider.TYPE,
                    "sandbox claim " + claim.getMetadata().getName() + " is not bound to a pod yet",
                    null);
        }
        return bound;
    }

    /** Records that {@code snapshotRef} was restored into the claim's Pod, so a retried create does not restore twice. */
    void markRestored(String ref, String snapshotRef) {
        call("mark sandbox claim " + ref + " restored", () -> claims().withName(SandboxPods.name(ref))
                .edit(claim -> {
                    claim.getMetadata().getAnnotations().put(SandboxPods.RESTORED_FROM, snapshotRef);
                    return claim;
                }));
    }

    /** Deletes the claim (the controller deletes its Sandbox and Pod) and its NetworkPolicy; a missing one is fine. */
    void destroy(String ref) {
        String name = SandboxPods.name(ref);
        call("delete sandbox claim " + name, () -> claims().withName(name).delete());
        call("delete network policy " + name, () -> client.network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace)
                .withName(name)
                .delete());
    }

    /** Every labelled claim; one whose recorded Pod is gone or was replaced is listed as lost. */
    List<ManagedSandbox> listManaged() {
        check.apiServed();
        GenericKubernetesResourceList claims = list();
        Map<String, String> podUids = new HashMap<>();
        call("list pods", () -> client.pods().inNamespace(namespace).list())
                .getItems()
                .forEach(pod -> podUids.put(
                        pod.getMetadata().getName(), pod.getMetadata().getUid()));
        return claims.getItems().stream()
                .map(claim -> {
                    String pod = AgentSandboxApi.annotation(claim, AgentSandboxApi.BOUND_POD);
                    boolean lost = pod != null
                            && !podUids.getOrDefault(pod, "")
                                    .equals(AgentSandboxApi.annotation(claim, AgentSandboxApi.BOUND_POD_UID));
                    return new ManagedSandbox(
                            claim.getMetadata().getLabels().get(SandboxPods.SANDBOX_ID),
                            claim.getMetadata().getName(),
                            lost);
                })
                .toList();
    }

    private GenericKubernetesResourceList list() {
        try {
            return claims().withLabel(SandboxPods.MANAGED_BY, SandboxPods.MANAGER)
                    .withLabel(SandboxPods.SANDBOX_ID)
                    .list();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw check.missingCrds();
            }
            throw KubernetesErrors.map("list sandbox claims", e);
        }
    }

    private GenericKubernetesResource createClaim(GenericKubernetesResource claim) {
        String name = claim.getMetadata().getName();
        try {
            return claims().resource(claim).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return call("look up sandbox claim " + name, () -> claims().withName(name)
                        .get());
            }
            throw KubernetesErrors.map("create sandbox claim " + name, e);
        }
    }

    /** Polls the claim until the controller reports it Ready with a sandbox named, or gives it up at the bound. */
    private GenericKubernetesResource awaitReady(String name) {
        long deadline = System.nanoTime() + timeouts.claimReady().toNanos();
        while (true) {
            GenericKubernetesResource claim = get(name);
            if (claim != null && AgentSandboxApi.ready(claim) && AgentSandboxApi.sandboxName(claim) != null) {
                return claim;
            }
            if (claim == null || System.nanoTime() > deadline) {
                String reason = AgentSandboxApi.notReadyReason(claim);
                destroy(name);
                throw new ProviderErrorException(
                        KubernetesSandboxProvider.TYPE,
                        "sandbox claim " + name + " was not bound to a ready sandbox of warm pool '"
                                + check.poolName() + "' within " + timeouts.claimReady() + " (" + reason
                                + "); the claim was deleted",
                        null);
            }
            try {
                Thread.sleep(timeouts.poll().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderErrorException(KubernetesSandboxProvider.TYPE, "interrupted waiting for " + name, e);
            }
        }
    }

    /** Resolves a Ready claim's Sandbox and Pod and records them on the claim. */
    private Bound bind(GenericKubernetesResource claim) {
        String name = claim.getMetadata().getName();
        String sandboxName = AgentSandboxApi.sandboxName(claim);
        GenericKubernetesResource sandbox = call(
                "look up sandbox " + sandboxName, () -> client.genericKubernetesResources(AgentSandboxApi.SANDBOXES)
                        .inNamespace(namespace)
                        .withName(sandboxName)
                        .get());
        if (sandbox == null) {
            throw new ProviderErrorException(
                    KubernetesSandboxProvider.TYPE,
                    "sandbox claim " + name + " names sandbox " + sandboxName + ", which does not exist",
                    null);
        }
        String podName = AgentSandboxApi.podName(sandbox);
        Pod pod = call(
                "look up pod " + podName,
                () -> client.pods().inNamespace(namespace).withName(podName).get());
        if (pod == null || readiness.status(pod) != SandboxStatus.RUNNING) {
            throw new ProviderErrorException(
                    KubernetesSandboxProvider.TYPE,
                    "pod " + podName + " of sandbox claim " + name + " is not running: " + readiness.reason(podName),
                    null);
        }
        String container = container(pod);
        GenericKubernetesResource recorded = call(
                "record the pod of sandbox claim " + name,
                () -> claims().withName(name).edit(c -> {
                    Map<String, String> annotations = c.getMetadata().getAnnotations();
                    annotations.put(AgentSandboxApi.BOUND_POD, podName);
                    annotations.put(
                            AgentSandboxApi.BOUND_POD_UID, pod.getMetadata().getUid());
                    annotations.put(AgentSandboxApi.BOUND_CONTAINER, container);
                    return c;
                }));
        return recorded(recorded);
    }

    private static String container(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String preferred = annotations == null ? null : annotations.get(DEFAULT_CONTAINER);
        return preferred != null
                ? preferred
                : pod.getSpec().getContainers().getFirst().getName();
    }

    private static @Nullable Bound recorded(GenericKubernetesResource claim) {
        String pod = AgentSandboxApi.annotation(claim, AgentSandboxApi.BOUND_POD);
        String container = AgentSandboxApi.annotation(claim, AgentSandboxApi.BOUND_CONTAINER);
        if (pod == null || container == null) {
            return null;
        }
        String env = AgentSandboxApi.annotation(claim, AgentSandboxApi.ENV);
        String restored = AgentSandboxApi.annotation(claim, SandboxPods.RESTORED_FROM);
        return new Bound(
                new PodTarget(
                        pod,
                        container,
                        env == null ? Map.of() : JSON.readValue(env, new TypeReference<Map<String, String>>() {})),
                restored == null ? "" : restored);
    }

    private static io.fabric8.kubernetes.api.model.OwnerReference ownerReference(GenericKubernetesResource claim) {
        return new OwnerReferenceBuilder()
                .withApiVersion(claim.getApiVersion())
                .withKind(claim.getKind())
                .withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid())
                .build();
    }

    private @Nullable GenericKubernetesResource get(String ref) {
        String name = SandboxPods.name(ref);
        try {
            return claims().withName(name).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw check.missingCrds();
            }
            throw KubernetesErrors.map("look up sandbox claim " + name, e);
        }
    }

    private NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            claims() {
        return client.genericKubernetesResources(AgentSandboxApi.CLAIMS).inNamespace(namespace);
    }

    private static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.map(action, e);
        }
    }
}
