package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.kubernetes.FakeAgentSandbox;
import dev.perimeter.provider.kubernetes.FakeCluster;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Perimeter's REST API on the Kubernetes provider in warm-pool mode ({@code KUBERNETES_WARM_POOL}): sandboxes are
 * SandboxClaims bound by the test's stand-in for the agent-sandbox controller, on fabric8's CRUD mock API server.
 */
class KubernetesWarmPoolApiTests extends ApiTestSupport {

    private static final FakeCluster CLUSTER = new FakeCluster();
    private static final FakeAgentSandbox AGENT_SANDBOX =
            FakeAgentSandbox.start(CLUSTER.client(), 2, FakeAgentSandbox.unmanagedNetworkPolicy());
    private static final ResourceDefinitionContext CLAIMS = new ResourceDefinitionContext.Builder()
            .withGroup("extensions.agents.x-k8s.io")
            .withVersion("v1beta1")
            .withKind("SandboxClaim")
            .withPlural("sandboxclaims")
            .withNamespaced(true)
            .build();

    static {
        CLUSTER.becomeTheDefaultCluster();
    }

    @Autowired
    ProviderReconciler reconciler;

    @DynamicPropertySource
    static void kubernetes(DynamicPropertyRegistry registry) {
        registry.add("perimeter.providers.kubernetes.enabled", () -> "true");
        registry.add("perimeter.providers.kubernetes.namespace", () -> FakeCluster.NAMESPACE);
        registry.add("perimeter.providers.kubernetes.warm-pool", () -> FakeAgentSandbox.POOL);
        registry.add("perimeter.providers.kubernetes.snapshot-dir", () -> CLUSTER.snapshotDir()
                .toString());
        registry.add("perimeter.providers.kubernetes.timeouts.claim-ready", () -> "1s");
        registry.add("perimeter.providers.kubernetes.timeouts.poll", () -> "20ms");
    }

    @AfterAll
    static void stopCluster() {
        AGENT_SANDBOX.close();
        CLUSTER.close();
    }

    @Test
    void aSandboxIsAClaimWhosePodRunsCommandsThroughTheApi() {
        TestTenant tenant = newTenant();
        JsonNode sandbox = createSandbox(tenant, Map.of("provider", "kubernetes", "region", "cluster"));
        String id = sandbox.get("id").asString();

        JsonNode result = exec(tenant, id, Map.of("command", List.of("sh", "-c", "echo hi; exit 4")));

        assertThat(sandbox.get("state").asString()).isEqualTo("RUNNING");
        assertThat(claim(sandbox.get("providerRef").asString()).getMetadata().getLabels())
                .containsEntry("perimeter.dev/sandbox-id", id)
                .containsEntry("perimeter.dev/tenant", tenant.id());
        assertThat(result.get("exitCode").asInt()).isEqualTo(4);
        assertThat(result.get("stdout").asString()).isEqualTo("hi\n");
        destroyAndWait(tenant, id);
        assertThat(claim(sandbox.get("providerRef").asString())).isNull();
    }

    @Test
    void anImageOtherThanThePoolsAnswersCapabilityUnsupported() {
        TestTenant tenant = newTenant();

        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "kubernetes", "region", "cluster", "image", "node:22"))
                .send();

        assertProblem(refused, 422, "capability-unsupported");
        assertThat(activeSandboxes(tenant)).isZero();
    }

    @Test
    void aClaimNeverBoundAnswers502FailsTheRowAndFreesTheSlot() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);
        AGENT_SANDBOX.stopBinding();
        Api.Response failed;
        try {
            failed = api.post("/v1/sandboxes")
                    .key(tenant.key())
                    .json(Map.of("provider", "kubernetes", "region", "cluster"))
                    .send();
        } finally {
            AGENT_SANDBOX.resumeBinding();
        }

        assertProblem(failed, 502, "provider-error");
        assertThat(failed.json().get("detail").asString())
                .contains("was not bound to a ready sandbox")
                .contains("SandboxCreatePending");
        JsonNode row = onlySandbox(tenant, "FAILED");
        assertThat(row.get("endReason").asString()).startsWith("PROVIDER_ERROR");
        assertThat(activeSandboxes(tenant)).isZero();
        assertThat(claim(row.get("id").asString().toLowerCase().replace('_', '-')))
                .isNull();
        createSandbox(tenant, Map.of("provider", "kubernetes", "region", "cluster"));
    }

    @Test
    void aLabelledClaimWithNoLiveRowIsDeletedByTheReconcilerAndOthersAreLeft() {
        claims().resource(claimNamed("sbx-orphanclaim0000000000", true)).create();
        claims().resource(claimNamed("someone-elses-claim", false)).create();

        await().atMost(Duration.ofSeconds(15)).until(reconciler::run);

        assertThat(claim("sbx-orphanclaim0000000000")).isNull();
        assertThat(claim("someone-elses-claim")).isNotNull();
    }

    @Test
    void aClaimWhosePodVanishedTurnsTheSandboxFailedThenTheClaimIsDeleted() {
        TestTenant tenant = newTenant();
        JsonNode sandbox = createSandbox(tenant, Map.of("provider", "kubernetes", "region", "cluster"));
        String ref = sandbox.get("providerRef").asString();
        String pod = claim(ref).getMetadata().getAnnotations().get("perimeter.dev/pod-name");

        CLUSTER.client().pods().inNamespace(FakeCluster.NAMESPACE).withName(pod).delete();
        await().atMost(Duration.ofSeconds(15)).until(reconciler::run);

        JsonNode failed = onlySandbox(tenant, "FAILED");
        assertThat(failed.get("endReason").asString()).startsWith("PROVIDER_LOST");
        assertThat(activeSandboxes(tenant)).isZero();
        await().atMost(Duration.ofSeconds(15)).until(reconciler::run);
        assertThat(claim(ref)).isNull();
    }

    private static GenericKubernetesResource claimNamed(String name, boolean ours) {
        Map<String, String> labels = ours
                ? Map.of(
                        "app.kubernetes.io/managed-by", "perimeter",
                        "perimeter.dev/sandbox-id", name.replace('-', '_'),
                        "perimeter.dev/tenant", "gone")
                : Map.of("app", "other");
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("extensions.agents.x-k8s.io/v1beta1")
                .withKind("SandboxClaim")
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .addToAdditionalProperties("spec", Map.of("warmPoolRef", Map.of("name", "elsewhere")))
                .build();
    }

    private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
            claims() {
        return CLUSTER.client().genericKubernetesResources(CLAIMS).inNamespace(FakeCluster.NAMESPACE);
    }

    private static GenericKubernetesResource claim(String name) {
        return claims().withName(name).get();
    }
}
