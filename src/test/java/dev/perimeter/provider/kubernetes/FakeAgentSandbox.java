package dev.perimeter.provider.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of kubernetes-sigs/agent-sandbox a test needs, on a {@link FakeCluster}: its four CRDs in the store, and a
 * controller loop that keeps a warm pool of Sandboxes (each with a Pod of the Sandbox's name, made Ready by the fake
 * kubelet) and binds each new SandboxClaim to a Ready one as the real controller does: the Sandbox is owned by the
 * claim and annotated with its Pod's name, the Pod gets the {@code agents.x-k8s.io/claim-uid} label, and the claim
 * gets the {@code agents.x-k8s.io/sandbox-name} annotation, {@code status.sandbox.name} and {@code Ready=True}. A
 * deleted claim's Sandbox and Pod are deleted (the garbage collector's part).
 */
public final class FakeAgentSandbox implements AutoCloseable {

    public static final String POOL = "python-pool";
    public static final String TEMPLATE = "python-template";
    public static final String IMAGE = "python:3.12-slim";
    public static final String CONTAINER = "agent";
    private static final String WARM_LABEL = "agents.x-k8s.io/warm-pool-sandbox";

    private final KubernetesClient client;
    private final AtomicInteger counter = new AtomicInteger();
    private volatile boolean binding = true;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fake-agent-sandbox-controller");
        thread.setDaemon(true);
        return thread;
    });

    private FakeAgentSandbox(KubernetesClient client) {
        this.client = client;
    }

    /** Installs the CRDs only: no controller runs. */
    public static void installCrds(KubernetesClient client) {
        crd(client, AgentSandboxApi.CLAIMS, true);
        crd(client, AgentSandboxApi.WARM_POOLS, true);
        crd(client, AgentSandboxApi.TEMPLATES, false);
        crd(client, AgentSandboxApi.SANDBOXES, true);
    }

    /** Installs the CRDs, a template running {@link #IMAGE} and a pool of {@code replicas} of it, and starts the loop. */
    public static FakeAgentSandbox start(KubernetesClient client, int replicas, Map<String, Object> templateExtra) {
        installCrds(client);
        Map<String, Object> templateSpec = new HashMap<>(Map.of(
                "podTemplate",
                Map.of("spec", Map.of("containers", List.of(Map.of("name", CONTAINER, "image", IMAGE))))));
        templateSpec.putAll(templateExtra);
        create(client, AgentSandboxApi.TEMPLATES, TEMPLATE, templateSpec);
        create(
                client,
                AgentSandboxApi.WARM_POOLS,
                POOL,
                Map.of("replicas", replicas, "sandboxTemplateRef", Map.of("name", TEMPLATE)));
        FakeAgentSandbox controller = new FakeAgentSandbox(client);
        controller.loop.scheduleWithFixedDelay(() -> controller.reconcile(replicas), 0, 20, TimeUnit.MILLISECONDS);
        return controller;
    }

    /** A template whose NetworkPolicy the controller leaves to others. */
    public static Map<String, Object> unmanagedNetworkPolicy() {
        return Map.of("networkPolicyManagement", "Unmanaged");
    }

    /** From now on claims stay unbound, reported {@code Ready=False SandboxCreatePending}, as with no capacity. */
    public void stopBinding() {
        binding = false;
    }

    public void resumeBinding() {
        binding = true;
    }

    private void reconcile(int replicas) {
        try {
            collectGarbage();
            List<GenericKubernetesResource> warm = resources(AgentSandboxApi.SANDBOXES)
                    .withLabel(WARM_LABEL, POOL)
                    .list()
                    .getItems();
            for (int i = warm.size(); i < replicas; i++) {
                warmSandbox();
            }
            for (GenericKubernetesResource claim :
                    resources(AgentSandboxApi.CLAIMS).list().getItems()) {
                if (AgentSandboxApi.sandboxName(claim) == null
                        && POOL.equals(claim.get("spec", "warmPoolRef", "name"))) {
                    bindOrWait(claim, warm);
                }
            }
        } catch (KubernetesClientException e) {
            // something changed meanwhile; the next round sees it again
        }
    }

    private void warmSandbox() {
        String name = POOL + "-" + Integer.toString(counter.incrementAndGet(), 36) + "x";
        GenericKubernetesResource sandbox = resources(AgentSandboxApi.SANDBOXES)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("agents.x-k8s.io/v1beta1")
                        .withKind("Sandbox")
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(Map.of(WARM_LABEL, POOL))
                        .endMetadata()
                        .addToAdditionalProperties("spec", Map.of())
                        .build())
                .create();
        client.pods()
                .inNamespace(FakeCluster.NAMESPACE)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withOwnerReferences(new OwnerReferenceBuilder()
                                .withApiVersion("agents.x-k8s.io/v1beta1")
                                .withKind("Sandbox")
                                .withName(name)
                                .withUid(sandbox.getMetadata().getUid())
                                .build())
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName(CONTAINER)
                        .withImage(IMAGE)
                        .addNewVolumeMount()
                        .withName("workspace")
                        .withMountPath("/workspace")
                        .endVolumeMount()
                        .endContainer()
                        .addNewVolume()
                        .withName("workspace")
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .endVolume()
                        .endSpec()
                        .build())
                .create();
    }

    private void bindOrWait(GenericKubernetesResource claim, List<GenericKubernetesResource> warm) {
        String claimName = claim.getMetadata().getName();
        GenericKubernetesResource ready =
                binding ? warm.stream().filter(this::podReady).findFirst().orElse(null) : null;
        if (ready == null) {
            writeStatus(claimName, null, "False", "SandboxCreatePending", "waiting for a warm sandbox");
            return;
        }
        warm.remove(ready);
        String sandboxName = ready.getMetadata().getName();
        resources(AgentSandboxApi.SANDBOXES).withName(sandboxName).edit(sandbox -> {
            sandbox.getMetadata().getLabels().remove(WARM_LABEL);
            sandbox.getMetadata()
                    .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                            .withApiVersion(claim.getApiVersion())
                            .withKind(claim.getKind())
                            .withName(claimName)
                            .withUid(claim.getMetadata().getUid())
                            .withController(true)
                            .build()));
            sandbox.getMetadata().setAnnotations(Map.of(AgentSandboxApi.POD_NAME, sandboxName));
            return sandbox;
        });
        client.pods().inNamespace(FakeCluster.NAMESPACE).withName(sandboxName).edit(pod -> {
            pod.getMetadata()
                    .setLabels(Map.of(
                            AgentSandboxApi.CLAIM_UID, claim.getMetadata().getUid()));
            return pod;
        });
        resources(AgentSandboxApi.CLAIMS).withName(claimName).edit(c -> {
            c.getMetadata().getAnnotations().put(AgentSandboxApi.ASSIGNED_SANDBOX, sandboxName);
            return c;
        });
        writeStatus(claimName, sandboxName, "True", "DependenciesReady", "");
    }

    private void writeStatus(String claimName, String sandboxName, String ready, String reason, String message) {
        GenericKubernetesResource claim =
                resources(AgentSandboxApi.CLAIMS).withName(claimName).get();
        if (claim == null) {
            return;
        }
        Map<String, Object> status = new HashMap<>();
        status.put(
                "conditions",
                List.of(Map.of(
                        "type", "Ready",
                        "status", ready,
                        "reason", reason,
                        "message", message,
                        "lastTransitionTime", Instant.now().toString())));
        if (sandboxName != null) {
            status.put("sandbox", Map.of("name", sandboxName));
        }
        claim.setAdditionalProperty("status", status);
        resources(AgentSandboxApi.CLAIMS).resource(claim).updateStatus();
    }

    /** Deletes Sandboxes whose claim is gone, and their Pods. */
    private void collectGarbage() {
        Map<String, String> claimUids = new HashMap<>();
        resources(AgentSandboxApi.CLAIMS)
                .list()
                .getItems()
                .forEach(c ->
                        claimUids.put(c.getMetadata().getUid(), c.getMetadata().getName()));
        for (GenericKubernetesResource sandbox :
                resources(AgentSandboxApi.SANDBOXES).list().getItems()) {
            var owners = sandbox.getMetadata().getOwnerReferences();
            if (owners != null
                    && !owners.isEmpty()
                    && "SandboxClaim".equals(owners.getFirst().getKind())
                    && !claimUids.containsKey(owners.getFirst().getUid())) {
                client.pods()
                        .inNamespace(FakeCluster.NAMESPACE)
                        .withName(sandbox.getMetadata().getName())
                        .delete();
                resources(AgentSandboxApi.SANDBOXES)
                        .withName(sandbox.getMetadata().getName())
                        .delete();
            }
        }
    }

    private boolean podReady(GenericKubernetesResource sandbox) {
        Pod pod = client.pods()
                .inNamespace(FakeCluster.NAMESPACE)
                .withName(sandbox.getMetadata().getName())
                .get();
        return pod != null
                && pod.getStatus() != null
                && Objects.equals(pod.getStatus().getPhase(), "Running");
    }

    private NonNamespaceOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    Resource<GenericKubernetesResource>>
            resources(ResourceDefinitionContext context) {
        return client.genericKubernetesResources(context).inNamespace(FakeCluster.NAMESPACE);
    }

    private static void create(
            KubernetesClient client, ResourceDefinitionContext context, String name, Map<String, Object> spec) {
        client.genericKubernetesResources(context)
                .inNamespace(FakeCluster.NAMESPACE)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(context.getGroup() + "/" + context.getVersion())
                        .withKind(context.getKind())
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToAdditionalProperties("spec", spec)
                        .build())
                .create();
    }

    private static void crd(KubernetesClient client, ResourceDefinitionContext context, boolean status) {
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(context.getPlural() + "." + context.getGroup())
                .endMetadata()
                .withNewSpec()
                .withGroup(context.getGroup())
                .withScope("Namespaced")
                .withNewNames()
                .withKind(context.getKind())
                .withPlural(context.getPlural())
                .withSingular(context.getKind().toLowerCase(java.util.Locale.ROOT))
                .endNames()
                .addNewVersion()
                .withName(context.getVersion())
                .withServed(true)
                .withStorage(true)
                .withNewSubresources()
                .withStatus(
                        status
                                ? new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourceStatus()
                                : null)
                .endSubresources()
                .endVersion()
                .endSpec()
                .build();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
