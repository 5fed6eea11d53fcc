package dev.perimeter.provider.cloudflare;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxProviderContractTests;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.shared.Ids;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provider contract against the fake bridge, plus what the Cloudflare provider promises on top. */
class CloudflareProviderContractTests extends SandboxProviderContractTests {

    static final String TOKEN = "bridge-token-0123456789abcdef";

    private static CloudflareBridgeFake bridge;
    private static CloudflareSandboxProvider provider;
    private static BridgeClient client;

    @BeforeAll
    static void startBridge() {
        bridge = new CloudflareBridgeFake(TOKEN).start();
        client = CloudflareTestClients.client(bridge.baseUrl(), TOKEN, java.time.Duration.ofSeconds(10), 3);
        provider = new CloudflareSandboxProvider(
                client,
                new InMemoryBridgeRecords.Ledger(),
                new InMemoryBridgeRecords.Archives(),
                java.time.Duration.ofSeconds(5),
                EgressMode.ALLOW_ALL);
    }

    @AfterAll
    static void stopBridge() {
        client.close();
        bridge.stop();
    }

    @Override
    protected SandboxProvider provider() {
        return provider;
    }

    @Test
    void sandboxesAreNamedAfterOurIdSoNoCreateMintsARandomName() {
        String sandboxId = Ids.next("sbx");

        String ref = createSandbox(sandboxSpec(sandboxId));
        createSandbox(sandboxSpec(sandboxId));

        assertThat(ref).isEqualTo(CloudflareBridgeFake.bridgeId(sandboxId)).matches("[a-z2-7]{1,128}");
        bridge.server().verify(0, postRequestedFor(urlPathMatching("/v1/sandbox")));
        assertThat(bridge.has(ref)).isTrue();
    }

    @Test
    void statusOfADestroyedSandboxDoesNotStartAFreshContainer() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        provider.destroy(ref);
        int before = bridge.containersStarted();

        provider.status(ref);

        assertThat(bridge.containersStarted()).isEqualTo(before);
        assertThat(bridge.has(ref)).isFalse();
    }

    @Test
    void aContainerTheBridgeReplacedIsUnknownAndRefusesCommands() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx"), Map.of("SECRET", "s3cret")));
        bridge.replaceContainer(ref);

        assertThat(provider.status(ref)).isEqualTo(dev.perimeter.provider.SandboxStatus.UNKNOWN);
        ExecResult result = run(ref, "echo", "should not run");
        assertThat(result.exitCode()).isEqualTo(125);
        assertThat(text(result.stdout())).isEmpty();
        assertThat(text(result.stderr())).contains("replaced the container of this sandbox");
    }

    @Test
    void snapshotsAreKeptByPerimeterAndSayPersistent() {
        assertThat(provider.capabilities().snapshotPersistence()).isEqualTo(SnapshotPersistence.PERSISTENT);
        assertThat(provider.capabilities().egressModes()).containsExactly(EgressMode.ALLOW_ALL);
        assertThat(provider.capabilities().gpu()).isFalse();
        assertThat(provider.capabilities().regions()).containsExactly("auto");
    }

    @Test
    void timeoutKillsAProcessTreeThatIgnoresTerm() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        String marker = "9" + Ids.random(6).replaceAll("[^2-7]", "3");
        String script =
                "trap '' TERM; (trap '' TERM; sleep " + marker + "; echo survived) & sleep " + marker + " & wait";
        ExecSpec spec = new ExecSpec(List.of("sh", "-c", script), null, Map.of(), Duration.ofSeconds(2), null, 1024);

        ExecResult result = provider.exec(ref, spec, ExecOutput.DISCARD);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(ProcessHandle.allProcesses()
                        .filter(process -> process.info()
                                .arguments()
                                .map(args -> List.of(args).contains(marker))
                                .orElse(false))
                        .toList())
                .isEmpty();
    }

    @Test
    void everyRequestCarriesTheBearerToken() {
        createSandbox(sandboxSpec(Ids.next("sbx")));

        bridge.server().verify(0, anyRequestedFor(urlPathMatching("/v1/.*")).withoutHeader("Authorization"));
        bridge.server()
                .verify(
                        0,
                        anyRequestedFor(urlPathMatching("/v1/.*"))
                                .withHeader("Authorization", matching("^(?!Bearer " + TOKEN + "$).*")));
    }
}
