package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxProviderContractTests;
import dev.perimeter.shared.Ids;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract kit against fabric8's CRUD mock API server, with commands run by {@link ExecEmulator}. */
class KubernetesProviderContractTests extends SandboxProviderContractTests {

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

    @Override
    protected SandboxProvider provider() {
        return provider;
    }

    @Override
    protected String unknownProviderRef() {
        return SandboxPods.name(Ids.next("sbx"));
    }
}
