package dev.perimeter.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.shared.CapabilityUnsupportedException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SandboxClaim path: what Perimeter writes, how it finds the Pod, and each way the cluster can refuse it. */
class KubernetesWarmPoolTests {

    private static final Instant NOW = Instant.parse("2026-11-27T09:00:00Z");

    private final FakeCluster cluster = new FakeCluster();
    private FakeAgentSandbox agentSandbox;

    @AfterEach
    void stop() {
        if (agentSandbox != null) {
            agentSandbox.close();
        }
        cluster.close();
    }

    @Test
    void aSandboxIsAClaimOnThePoolBoundToAWarmPodWhereCommandsRun() {
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 1, FakeAgentSandbox.unmanagedNetworkPolicy());
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(20));

        String ref = provider.create(spec("sbx_claim1", null, Map.of("GREETING", "hello")))
                .providerRef();

        GenericKubernetesResource claim = claim(ref);
        assertThat(ref).isEqualTo("sbx-claim1");
        assertThat(claim.getMetadata().getLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "app.kubernetes.io/managed-by", "perimeter",
                        "perimeter.dev/sandbox-id", "sbx_claim1",
                        "perimeter.dev/tenant", "ten_acme"));
        assertThat(claim.getAdditionalProperties().get("spec"))
                .isEqualTo(Serialization.unmarshal(
                        """
                        warmPoolRef: {name: python-pool}
                        lifecycle: {shutdownTime: "2026-11-27T09:15:00Z", shutdownPolicy: Delete}
                        """,
                        Map.class));
        String pod = claim.getMetadata().getAnnotations().get("perimeter.dev/pod-name");
        assertThat(pod).startsWith("python-pool-").isNotEqualTo(ref);
        assertThat(claim.getMetadata().getAnnotations())
                .containsEntry("perimeter.dev/correlation-id", "corr-1")
                .containsEntry("perimeter.dev/container", "agent")
                .containsEntry("perimeter.dev/env", "{\"GREETING\":\"hello\"}");
        ExecResult result = provider.exec(
                ref,
                new ExecSpec(
                        List.of("sh", "-c", "echo \"$GREETING $0\"; pwd"),
                        null,
                        Map.of(),
                        Duration.ofSeconds(10),
                        null,
                        1024),
                ExecOutput.DISCARD);
        assertThat(new String(result.stdout())).isEqualTo("hello sh\n/workspace\n");
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.RUNNING);
        assertThat(provider.capabilities().customImages()).isFalse();

        provider.destroy(ref);

        assertThat(claim(ref)).isNull();
        assertThat(policy(ref)).isNull();
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void theEgressPolicySelectsTheBoundPodByItsClaimUidAndIsOwnedByTheClaim() {
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 1, FakeAgentSandbox.unmanagedNetworkPolicy());
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(20));
        SandboxSpec spec = new SandboxSpec(
                "sbx_claimnet1",
                "ten_acme",
                "corr-1",
                "cluster",
                null,
                new SandboxSpec.Resources(1, 512, null),
                new SandboxSpec.Egress(EgressMode.ALLOWLIST, List.of("192.0.2.7")),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(15),
                null);

        String ref = provider.create(spec).providerRef();

        String uid = claim(ref).getMetadata().getUid();
        NetworkPolicy policy = policy(ref);
        assertThat(policy.getSpec())
                .isEqualTo(Serialization.unmarshal(
                        """
                        podSelector:
                          matchLabels: {agents.x-k8s.io/claim-uid: %s}
                        policyTypes: [Ingress, Egress]
                        ingress: []
                        egress:
                        - to:
                          - ipBlock: {cidr: 192.0.2.7/32}
                        """
                                .formatted(uid),
                        NetworkPolicySpec.class));
        assertThat(policy.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("SandboxClaim");
            assertThat(owner.getUid()).isEqualTo(uid);
        });
        String pod = claim(ref).getMetadata().getAnnotations().get("perimeter.dev/pod-name");
        assertThat(cluster.client()
                        .pods()
                        .inNamespace(FakeCluster.NAMESPACE)
                        .withName(pod)
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry("agents.x-k8s.io/claim-uid", uid);
        provider.destroy(ref);
    }

    @Test
    void withoutTheAgentSandboxCrdsACreateIsRefusedSayingWhatToInstall() {
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(5));

        assertThatThrownBy(() -> provider.create(spec("sbx_nocrd1", null, Map.of())))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("does not serve the agent-sandbox API")
                .hasMessageContaining("KUBERNETES_WARM_POOL");
        assertThatThrownBy(provider::listManaged)
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("does not serve the agent-sandbox API");
        assertThat(cluster.client()
                        .network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(FakeCluster.NAMESPACE)
                        .list()
                        .getItems())
                .isEmpty();
    }

    @Test
    void aPoolThatDoesNotExistIsRefusedByName() {
        FakeAgentSandbox.installCrds(cluster.client());
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(5));

        assertThatThrownBy(() -> provider.create(spec("sbx_nopool1", null, Map.of())))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("no SandboxWarmPool 'python-pool'");
    }

    @Test
    void aTemplateWhoseManagedPolicyAllowsEgressIsRefused() {
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 1, Map.of());
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(5));

        assertThatThrownBy(() -> provider.create(spec("sbx_managed1", null, Map.of())))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("networkPolicyManagement: Unmanaged");
        assertThat(claim("sbx-managed1")).isNull();
    }

    @Test
    void aTemplatePolicyWithNoEgressRulesLeavesEgressToPerimeter() {
        agentSandbox =
                FakeAgentSandbox.start(cluster.client(), 1, Map.of("networkPolicy", Map.of("ingress", List.of())));
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(20));

        String ref = provider.create(spec("sbx_denying1", null, Map.of())).providerRef();

        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.RUNNING);
        provider.destroy(ref);
    }

    @Test
    void anImageOtherThanThePoolsIsUnsupported() {
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 1, FakeAgentSandbox.unmanagedNetworkPolicy());
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(20));

        assertThatThrownBy(() -> provider.create(spec("sbx_image1", "node:22", Map.of())))
                .isInstanceOf(CapabilityUnsupportedException.class)
                .hasMessageContaining("python:3.12-slim");
        assertThat(claim("sbx-image1")).isNull();
        String same = provider.create(spec("sbx_image2", FakeAgentSandbox.IMAGE, Map.of()))
                .providerRef();
        provider.destroy(same);
    }

    @Test
    void aClaimNeverBoundEndsInAProviderErrorAndIsDeleted() {
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 1, FakeAgentSandbox.unmanagedNetworkPolicy());
        agentSandbox.stopBinding();
        KubernetesSandboxProvider provider = provider(Duration.ofMillis(500));

        assertThatThrownBy(() -> provider.create(spec("sbx_unbound1", null, Map.of())))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("was not bound to a ready sandbox")
                .hasMessageContaining("SandboxCreatePending");
        assertThat(claim("sbx-unbound1")).isNull();
        assertThat(policy("sbx-unbound1")).isNull();
    }

    @Test
    void aClaimWhosePodVanishedIsListedAsLostAndItsStatusIsUnknown() {
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 1, FakeAgentSandbox.unmanagedNetworkPolicy());
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(20));
        String ref = provider.create(spec("sbx_lost1", null, Map.of())).providerRef();
        String kept = provider.create(spec("sbx_kept1", null, Map.of())).providerRef();
        String pod = claim(ref).getMetadata().getAnnotations().get("perimeter.dev/pod-name");

        cluster.client().pods().inNamespace(FakeCluster.NAMESPACE).withName(pod).delete();

        assertThat(provider.listManaged())
                .contains(new ManagedSandbox("sbx_lost1", ref, true), new ManagedSandbox("sbx_kept1", kept, false));
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.UNKNOWN);
        assertThat(provider.status(kept)).isEqualTo(SandboxStatus.RUNNING);
        provider.destroy(ref);
        provider.destroy(kept);
    }

    @Test
    void barePodsMadeBeforeTheSwitchAreStillServedListedAndDestroyed() {
        KubernetesSandboxProvider bare = new KubernetesSandboxProvider(
                KubernetesTesting.properties(cluster.snapshotDir(), null), cluster.client());
        String ref = bare.create(spec("sbx_before1", null, Map.of())).providerRef();
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 1, FakeAgentSandbox.unmanagedNetworkPolicy());
        KubernetesSandboxProvider provider = provider(Duration.ofSeconds(20));

        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.RUNNING);
        assertThat(provider.listManaged()).contains(new ManagedSandbox("sbx_before1", ref));
        provider.writeFile(ref, "a.txt", "bare".getBytes());
        assertThat(provider.readFile(ref, "a.txt", 100)).hasValue("bare".getBytes());
        provider.destroy(ref);
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    private KubernetesSandboxProvider provider(Duration claimReady) {
        return new KubernetesSandboxProvider(
                KubernetesTesting.properties(cluster.snapshotDir(), null, FakeAgentSandbox.POOL, claimReady),
                cluster.client(),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private GenericKubernetesResource claim(String name) {
        return cluster.client()
                .genericKubernetesResources(AgentSandboxApi.CLAIMS)
                .inNamespace(FakeCluster.NAMESPACE)
                .withName(name)
                .get();
    }

    private NetworkPolicy policy(String name) {
        return cluster.client()
                .network()
                .v1()
                .networkPolicies()
                .inNamespace(FakeCluster.NAMESPACE)
                .withName(name)
                .get();
    }

    private static SandboxSpec spec(String id, String image, Map<String, String> env) {
        return new SandboxSpec(
                id,
                "ten_acme",
                "corr-1",
                "cluster",
                image,
                new SandboxSpec.Resources(1, 512, null),
                SandboxSpec.Egress.denyAll(),
                env,
                Map.of(),
                Duration.ofMinutes(15),
                null);
    }
}
