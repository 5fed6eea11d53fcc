package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.kubernetes.FakeCluster;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
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
 * Perimeter's REST API on the Kubernetes provider against fabric8's CRUD mock API server (with the test-side exec
 * emulator). fabric8 finds the server through its own system-property configuration, as it would find a kubeconfig or
 * the in-cluster service account.
 */
class KubernetesProviderApiTests extends ApiTestSupport {

    private static final FakeCluster CLUSTER = new FakeCluster();
    private static final String PODS = "/api/v1/namespaces/" + FakeCluster.NAMESPACE + "/pods";

    static {
        CLUSTER.becomeTheDefaultCluster();
    }

    @Autowired
    ProviderReconciler reconciler;

    @DynamicPropertySource
    static void kubernetes(DynamicPropertyRegistry registry) {
        registry.add("perimeter.providers.kubernetes.enabled", () -> "true");
        registry.add("perimeter.providers.kubernetes.namespace", () -> FakeCluster.NAMESPACE);
        registry.add("perimeter.providers.kubernetes.runtime-class", () -> "gvisor");
        registry.add("perimeter.providers.kubernetes.snapshot-dir", () -> CLUSTER.snapshotDir()
                .toString());
        registry.add("perimeter.providers.kubernetes.timeouts.ready", () -> "5s");
        registry.add("perimeter.providers.kubernetes.timeouts.poll", () -> "20ms");
    }

    @AfterAll
    static void stopCluster() {
        CLUSTER.close();
    }

    @Test
    void aSandboxIsAPodThatRunsCommandsThroughTheApi() {
        TestTenant tenant = newTenant();
        JsonNode sandbox = createSandbox(tenant, Map.of("provider", "kubernetes", "region", "cluster"));
        String id = sandbox.get("id").asString();

        JsonNode result = exec(tenant, id, Map.of("command", List.of("sh", "-c", "echo hi; echo err >&2; exit 4")));

        assertThat(sandbox.get("state").asString()).isEqualTo("RUNNING");
        assertThat(pod(sandbox.get("providerRef").asString()).getMetadata().getLabels())
                .containsEntry("perimeter.dev/sandbox-id", id)
                .containsEntry("perimeter.dev/tenant", tenant.id());
        assertThat(result.get("exitCode").asInt()).isEqualTo(4);
        assertThat(result.get("stdout").asString()).isEqualTo("hi\n");
        assertThat(result.get("stderr").asString()).isEqualTo("err\n");
        destroyAndWait(tenant, id);
        assertThat(pod(sandbox.get("providerRef").asString())).isNull();
    }

    @Test
    void aPodDeletedBehindPerimetersBackTurnsTheSandboxFailedWithAReason() {
        TestTenant tenant = newTenant();
        JsonNode sandbox = createSandbox(tenant, Map.of("provider", "kubernetes", "region", "cluster"));
        String ref = sandbox.get("providerRef").asString();

        CLUSTER.client().pods().inNamespace(FakeCluster.NAMESPACE).withName(ref).delete();
        await().atMost(Duration.ofSeconds(15)).until(reconciler::run);

        JsonNode failed = onlySandbox(tenant, "FAILED");
        assertThat(failed.get("id").asString()).isEqualTo(sandbox.get("id").asString());
        assertThat(failed.get("endReason").asString()).startsWith("PROVIDER_LOST");
        assertThat(activeSandboxes(tenant)).isZero();
    }

    @Test
    void aLabelledPodWithNoLiveRowIsDeletedByTheReconciler() {
        Pod orphan = new PodBuilder()
                .withNewMetadata()
                .withName("sbx-orphan00000000000000")
                .withLabels(Map.of(
                        "app.kubernetes.io/managed-by", "perimeter",
                        "perimeter.dev/sandbox-id", "sbx_orphan00000000000000",
                        "perimeter.dev/tenant", "gone"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("sandbox")
                .withImage("debian:bookworm-slim")
                .endContainer()
                .endSpec()
                .build();
        Pod unrelated = new PodBuilder(orphan)
                .editMetadata()
                .withName("someone-elses-pod")
                .withLabels(Map.of("app", "other"))
                .endMetadata()
                .build();
        CLUSTER.client()
                .pods()
                .inNamespace(FakeCluster.NAMESPACE)
                .resource(orphan)
                .create();
        CLUSTER.client()
                .pods()
                .inNamespace(FakeCluster.NAMESPACE)
                .resource(unrelated)
                .create();

        await().atMost(Duration.ofSeconds(15)).until(reconciler::run);

        assertThat(pod("sbx-orphan00000000000000")).isNull();
        assertThat(pod("someone-elses-pod")).isNotNull();
    }

    @Test
    void aCreateTheClusterFailsAnswers503FailsTheRowAndFreesTheSlot() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);
        CLUSTER.server()
                .expect()
                .post()
                .withPath(PODS)
                .andReturn(
                        500,
                        new StatusBuilder()
                                .withStatus("Failure")
                                .withCode(500)
                                .withReason("InternalError")
                                .withMessage("etcdserver: request timed out")
                                .build())
                .once();

        Api.Response failed = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "kubernetes", "region", "cluster"))
                .send();

        assertProblem(failed, 503, "provider-unavailable");
        assertThat(failed.header("Retry-After")).isNotBlank();
        assertThat(failed.json().get("detail").asString()).contains("etcdserver: request timed out");
        assertThat(onlySandbox(tenant, "FAILED").get("endReason").asString()).startsWith("PROVIDER_ERROR");
        assertThat(activeSandboxes(tenant)).isZero();
        createSandbox(tenant, Map.of("provider", "kubernetes", "region", "cluster"));
    }

    @Test
    void aCreateTheClusterForbidsAnswers502WithTheApiServersMessage() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);
        CLUSTER.server()
                .expect()
                .post()
                .withPath(PODS)
                .andReturn(
                        403,
                        new StatusBuilder()
                                .withStatus("Failure")
                                .withCode(403)
                                .withReason("Forbidden")
                                .withMessage("pods is forbidden: User \"system:serviceaccount:perimeter:perimeter\""
                                        + " cannot create resource \"pods\"")
                                .build())
                .once();

        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "kubernetes", "region", "cluster"))
                .send();

        assertProblem(refused, 502, "provider-error");
        assertThat(refused.json().get("detail").asString()).contains("cannot create resource");
        assertThat(activeSandboxes(tenant)).isZero();
        createSandbox(tenant, Map.of("provider", "kubernetes", "region", "cluster"));
    }

    @Test
    void anAllowlistWithAHostnameAnswersCapabilityUnsupported() {
        TestTenant tenant = newTenant();

        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of(
                        "provider",
                        "kubernetes",
                        "region",
                        "cluster",
                        "egress",
                        Map.of("mode", "ALLOWLIST", "allow", List.of("pypi.org"))))
                .send();

        assertProblem(refused, 422, "capability-unsupported");
        assertThat(activeSandboxes(tenant)).isZero();
    }

    private static Pod pod(String name) {
        return CLUSTER.client()
                .pods()
                .inNamespace(FakeCluster.NAMESPACE)
                .withName(name)
                .get();
    }
}
