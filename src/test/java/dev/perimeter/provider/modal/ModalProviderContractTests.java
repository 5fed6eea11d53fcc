package dev.perimeter.provider.modal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxProviderContractTests;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.modal.api.NetworkAccess.NetworkAccessType;
import dev.perimeter.provider.modal.api.SandboxCreateRequest;
import dev.perimeter.shared.Ids;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provider contract against the in-process Modal fake, plus what is particular to Modal. */
class ModalProviderContractTests extends SandboxProviderContractTests {

    private static FakeModal fake;
    private static ModalSandboxProvider provider;

    @BeforeAll
    static void start() {
        fake = new FakeModal();
        provider = ModalSandboxProvider.connect(ModalTestSupport.properties(), fake.channels());
    }

    @AfterAll
    static void stop() throws Exception {
        provider.close();
        assertThat(fake.rejectedCalls())
                .as("calls the fake refused for credentials")
                .isZero();
        fake.close();
    }

    @Override
    protected SandboxProvider provider() {
        return provider;
    }

    @Override
    protected String unknownProviderRef() {
        return FakeModal.id("sb");
    }

    @Test
    void capabilitiesSayWhatModalHonours() {
        assertThat(provider.capabilities().gpu()).isTrue();
        assertThat(provider.capabilities().customImages()).isTrue();
        assertThat(provider.capabilities().egressModes()).containsExactlyInAnyOrder(EgressMode.values());
        assertThat(provider.capabilities().regions()).containsExactly("auto");
        assertThat(provider.capabilities().maxLifetime()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void createSendsResourcesTimeoutEgressAndTagsInModalUnits() {
        String sandboxId = Ids.next("sbx");
        SandboxSpec spec = new SandboxSpec(
                sandboxId,
                "tenant-a",
                "corr-1",
                "auto",
                null,
                new SandboxSpec.Resources(2, 1024, null),
                new SandboxSpec.Egress(EgressMode.ALLOWLIST, List.of("10.0.0.0/8", "192.168.1.7", "pypi.org")),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(15).plusMillis(1),
                null);

        createSandbox(spec);

        SandboxCreateRequest sent = lastCreate(sandboxId);
        assertThat(sent.getDefinition().getName()).isEqualTo(sandboxId);
        assertThat(sent.getDefinition().getResources().getMilliCpu()).isEqualTo(1000);
        assertThat(sent.getDefinition().getResources().getMemoryMb()).isEqualTo(1024);
        assertThat(sent.getDefinition().getResources().hasGpuConfig()).isFalse();
        assertThat(sent.getDefinition().getTimeoutSecs()).isEqualTo(901);
        assertThat(sent.getDefinition().hasSchedulerPlacement()).isFalse();
        assertThat(sent.getDefinition().getNetworkAccess().getNetworkAccessType())
                .isEqualTo(NetworkAccessType.ALLOWLIST);
        assertThat(sent.getDefinition().getNetworkAccess().getAllowedCidrsList())
                .containsExactly("10.0.0.0/8", "192.168.1.7/32");
        assertThat(sent.getDefinition().getNetworkAccess().getAllowedDomainsList())
                .containsExactly("pypi.org");
        assertThat(sent.getTagsList())
                .extracting(tag -> tag.getTagName() + "=" + tag.getTagValue())
                .contains(
                        "perimeter-sandbox-id=" + sandboxId, "perimeter-tenant-id=tenant-a", "perimeter-managed=true");
    }

    @Test
    void denyAllIsBlockedNetworkAccess() {
        String sandboxId = Ids.next("sbx");
        createSandbox(sandboxSpec(sandboxId));

        assertThat(lastCreate(sandboxId).getDefinition().getNetworkAccess().getNetworkAccessType())
                .isEqualTo(NetworkAccessType.BLOCKED);
    }

    @Test
    void gpuRequestReachesModalAsTypeAndCount() {
        String sandboxId = Ids.next("sbx");
        SandboxSpec spec = withResources(sandboxSpec(sandboxId), new SandboxSpec.Resources(4, 8192, "a100-80gb:2"));

        createSandbox(spec);

        var gpu = lastCreate(sandboxId).getDefinition().getResources().getGpuConfig();
        assertThat(gpu.getGpuType()).isEqualTo("A100-80GB");
        assertThat(gpu.getCount()).isEqualTo(2);
    }

    @Test
    void configuredGpuAndRegionApplyWhenTheCreateNamesNone() throws Exception {
        try (ModalSandboxProvider pinned = ModalSandboxProvider.connect(
                ModalTestSupport.properties(Duration.ofSeconds(10), "T4", List.of("eu-west")), fake.channels())) {
            String sandboxId = Ids.next("sbx");
            SandboxSpec spec = sandboxSpec(sandboxId);
            SandboxSpec inRegion = new SandboxSpec(
                    spec.sandboxId(),
                    spec.tenantId(),
                    spec.correlationId(),
                    "eu-west",
                    null,
                    spec.resources(),
                    spec.egress(),
                    Map.of(),
                    Map.of(),
                    spec.lifetime(),
                    null);

            String ref = pinned.create(inRegion).providerRef();
            try {
                var definition = lastCreate(sandboxId).getDefinition();
                assertThat(pinned.capabilities().regions()).containsExactly("eu-west");
                assertThat(definition.getSchedulerPlacement().getRegionsList()).containsExactly("eu-west");
                assertThat(definition.getResources().getGpuConfig().getGpuType())
                        .isEqualTo("T4");
                assertThat(definition.getResources().getGpuConfig().getCount()).isEqualTo(1);
            } finally {
                pinned.destroy(ref);
            }
        }
    }

    @Test
    void timeoutKillsAProcessTreeThatIgnoresTerm() throws Exception {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        String marker = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
        String script =
                "trap '' TERM; (trap '' TERM; sleep " + marker + "; echo survived) & sleep " + marker + " & wait";
        ExecSpec spec = new ExecSpec(List.of("sh", "-c", script), null, Map.of(), Duration.ofSeconds(2), null, 1024);

        CompletableFuture<ExecResult> running =
                CompletableFuture.supplyAsync(() -> provider.exec(ref, spec, ExecOutput.DISCARD));
        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> withArgument(marker).size() >= 2);
        ExecResult result = running.get(60, TimeUnit.SECONDS);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(withArgument(marker)).isEmpty();
    }

    @Test
    void outputLargerThanOneChunkArrivesWhole() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result = run(ref, "sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo; echo err >&2");

        assertThat(result.stdout()).hasSize(100_001);
        assertThat(text(result.stderr())).isEqualTo("err\n");
    }

    @Test
    void aLinkOutOfTheWorkspaceIsRefused() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        run(ref, "ln", "-s", "/etc", "escape");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.readFile(ref, "escape/hostname", 1024))
                .isInstanceOf(dev.perimeter.provider.InvalidSandboxPathException.class);
    }

    private static SandboxCreateRequest lastCreate(String sandboxId) {
        synchronized (fake.creates) {
            return fake.creates.reversed().stream()
                    .filter(request -> request.getDefinition().getName().equals(sandboxId))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static SandboxSpec withResources(SandboxSpec spec, SandboxSpec.Resources resources) {
        return new SandboxSpec(
                spec.sandboxId(),
                spec.tenantId(),
                spec.correlationId(),
                spec.region(),
                spec.image(),
                resources,
                spec.egress(),
                spec.env(),
                spec.labels(),
                spec.lifetime(),
                spec.fromSnapshotRef());
    }

    private static List<ProcessHandle> withArgument(String argument) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info()
                        .arguments()
                        .map(arguments -> Arrays.asList(arguments).contains(argument))
                        .orElse(false))
                .toList();
    }
}
