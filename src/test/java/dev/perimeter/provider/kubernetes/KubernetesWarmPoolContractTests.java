package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxProviderContractTests;
import dev.perimeter.shared.Ids;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract kit in warm-pool mode: every sandbox is a SandboxClaim bound by {@link FakeAgentSandbox}. */
class KubernetesWarmPoolContractTests extends SandboxProviderContractTests {

    private static FakeCluster cluster;
    private static FakeAgentSandbox agentSandbox;
    private static KubernetesSandboxProvider provider;

    @BeforeAll
    static void startCluster() {
        cluster = new FakeCluster();
        agentSandbox = FakeAgentSandbox.start(cluster.client(), 2, FakeAgentSandbox.unmanagedNetworkPolicy());
        provider = new KubernetesSandboxProvider(
                KubernetesTesting.properties(
                        cluster.snapshotDir(), null, FakeAgentSandbox.POOL, Duration.ofSeconds(20)),
                cluster.client());
    }

    @AfterAll
    static void stopCluster() {
        agentSandbox.close();
        cluster.close();
    }

    @Override
    protected SandboxProvider provider() {
        return provider;
    }

    @Override
    protected String unknownProviderRef() {
        return SandboxPods.name(Ids.next("sbx"));
    }
}
