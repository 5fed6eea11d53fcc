package dev.perimeter.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.shared.CapabilityUnsupportedException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The exact Pod and NetworkPolicy a sandbox becomes, as the API server stores them. */
class KubernetesResourceSpecTests {

    private static FakeCluster cluster;
    private static KubernetesSandboxProvider provider;

    @BeforeAll
    static void startCluster() {
        cluster = new FakeCluster();
        provider = new KubernetesSandboxProvider(
                KubernetesTesting.properties(cluster.snapshotDir(), "gvisor"), cluster.client());
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void sandboxBecomesALabelledPodWithRequestsEqualToLimitsAndAnEmptyDirWorkspace() {
        String ref = provider.create(spec("sbx_podspec1", "python:3.12-slim", egress(EgressMode.DENY_ALL)))
                .providerRef();

        Pod pod = cluster.client()
                .pods()
                .inNamespace(FakeCluster.NAMESPACE)
                .withName(ref)
                .get();

        assertThat(ref).isEqualTo("sbx-podspec1");
        assertThat(pod.getMetadata().getLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "app.kubernetes.io/managed-by", "perimeter",
                        "perimeter.dev/sandbox-id", "sbx_podspec1",
                        "perimeter.dev/tenant", "ten_acme"));
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("perimeter.dev/correlation-id", "corr-1");
        assertThat(pod.getSpec())
                .isEqualTo(Serialization.unmarshal(
                        """
                restartPolicy: Never
                runtimeClassName: gvisor
                activeDeadlineSeconds: 900
                automountServiceAccountToken: false
                enableServiceLinks: false
                terminationGracePeriodSeconds: 0
                containers:
                - name: sandbox
                  image: python:3.12-slim
                  command: [sleep, infinity]
                  workingDir: /workspace
                  env:
                  - {name: A, value: "1"}
                  - {name: B, value: two words}
                  resources:
                    requests: {cpu: "2", memory: 1024Mi}
                    limits: {cpu: "2", memory: 1024Mi}
                  volumeMounts:
                  - {name: workspace, mountPath: /workspace}
                  securityContext:
                    allowPrivilegeEscalation: false
                    capabilities: {drop: [ALL]}
                    seccompProfile: {type: RuntimeDefault}
                volumes:
                - name: workspace
                  emptyDir: {}
                """,
                        PodSpec.class));
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.RUNNING);
        provider.destroy(ref);
    }

    @Test
    void denyAllIsAPolicyWithNoEgressRuleAndNoIngress() {
        String ref = provider.create(spec("sbx_deny1", null, egress(EgressMode.DENY_ALL)))
                .providerRef();

        assertThat(policy(ref))
                .isEqualTo(Serialization.unmarshal(
                        """
                podSelector:
                  matchLabels: {perimeter.dev/sandbox-id: sbx_deny1}
                policyTypes: [Ingress, Egress]
                ingress: []
                egress: []
                """,
                        NetworkPolicySpec.class));
        provider.destroy(ref);
        assertThat(cluster.client()
                        .network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(FakeCluster.NAMESPACE)
                        .withName(ref)
                        .get())
                .isNull();
    }

    @Test
    void allowAllIsOneEmptyEgressRule() {
        String ref = provider.create(spec("sbx_allow1", null, egress(EgressMode.ALLOW_ALL)))
                .providerRef();

        assertThat(policy(ref))
                .isEqualTo(Serialization.unmarshal(
                        """
                podSelector:
                  matchLabels: {perimeter.dev/sandbox-id: sbx_allow1}
                policyTypes: [Ingress, Egress]
                ingress: []
                egress:
                - {}
                """,
                        NetworkPolicySpec.class));
        provider.destroy(ref);
    }

    @Test
    void allowlistIsOneRuleOfIpBlocks() {
        String ref = provider.create(spec(
                        "sbx_list1", null, egress(EgressMode.ALLOWLIST, "10.0.0.0/8", "192.0.2.7", "2001:db8::/32")))
                .providerRef();

        assertThat(policy(ref))
                .isEqualTo(Serialization.unmarshal(
                        """
                podSelector:
                  matchLabels: {perimeter.dev/sandbox-id: sbx_list1}
                policyTypes: [Ingress, Egress]
                ingress: []
                egress:
                - to:
                  - ipBlock: {cidr: 10.0.0.0/8}
                  - ipBlock: {cidr: 192.0.2.7/32}
                  - ipBlock: {cidr: 2001:db8::/32}
                """,
                        NetworkPolicySpec.class));
        provider.destroy(ref);
    }

    @Test
    void hostnamesInTheAllowlistAreUnsupportedAndNothingIsCreated() {
        assertThatThrownBy(() -> provider.create(
                        spec("sbx_host1", null, egress(EgressMode.ALLOWLIST, "10.0.0.0/8", "pypi.org"))))
                .isInstanceOf(CapabilityUnsupportedException.class)
                .hasMessageContaining("pypi.org");

        assertThat(cluster.client()
                        .pods()
                        .inNamespace(FakeCluster.NAMESPACE)
                        .withName("sbx-host1")
                        .get())
                .isNull();
    }

    private static NetworkPolicySpec policy(String name) {
        NetworkPolicy policy = cluster.client()
                .network()
                .v1()
                .networkPolicies()
                .inNamespace(FakeCluster.NAMESPACE)
                .withName(name)
                .get();
        assertThat(policy.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "perimeter");
        return policy.getSpec();
    }

    private static SandboxSpec.Egress egress(EgressMode mode, String... allow) {
        return new SandboxSpec.Egress(mode, List.of(allow));
    }

    private static SandboxSpec spec(String id, String image, SandboxSpec.Egress egress) {
        return new SandboxSpec(
                id,
                "ten_acme",
                "corr-1",
                "cluster",
                image,
                new SandboxSpec.Resources(2, 1024, null),
                egress,
                Map.of("B", "two words", "A", "1"),
                Map.of(),
                Duration.ofMinutes(15),
                null);
    }
}
