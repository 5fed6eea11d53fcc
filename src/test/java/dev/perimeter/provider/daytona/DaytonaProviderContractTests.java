package dev.perimeter.provider.daytona;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxProviderContractTests;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.Ids;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The contract kit against the Daytona provider and a fake Daytona; every request the provider sends must conform to
 * Daytona's OpenAPI documents.
 */
class DaytonaProviderContractTests extends SandboxProviderContractTests {

    private static DaytonaFake fake;
    private DaytonaSandboxProvider provider;

    @BeforeAll
    static void startFake() {
        fake = new DaytonaFake();
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @BeforeEach
    void newProvider() {
        fake.clearViolations();
        provider = DaytonaTesting.provider(fake, Duration.ofSeconds(10));
    }

    @Override
    protected SandboxProvider provider() {
        return provider;
    }

    @AfterEach
    @Override
    protected void destroyWhatTheTestCreated() {
        super.destroyWhatTheTestCreated();
        assertThat(fake.violations())
                .as("requests that break Daytona's OpenAPI documents")
                .isEmpty();
    }

    @Test
    void createSendsDaytonaUnitsLabelsAndEgress() {
        String sandboxId = Ids.next("sbx");
        SandboxSpec spec = new SandboxSpec(
                sandboxId,
                "tenant-a",
                "corr-1",
                "eu",
                null,
                new SandboxSpec.Resources(2, 1536, null),
                new SandboxSpec.Egress(EgressMode.ALLOWLIST, List.of("pypi.org", "10.1.0.0/16", "192.168.1.7")),
                Map.of("A", "b"),
                Map.of("team", "x", "perimeter.dev/sandbox-id", "spoofed"),
                Duration.ofMinutes(15),
                null);

        createSandbox(spec);

        JsonNode body = fake.lastCreateBody().orElseThrow();
        assertThat(body.get("name").asString()).isEqualTo(sandboxId);
        assertThat(body.get("target").asString()).isEqualTo("eu");
        assertThat(body.get("cpu").asInt()).isEqualTo(2);
        assertThat(body.get("memory").asInt()).isEqualTo(2);
        assertThat(body.get("disk").asInt()).isEqualTo(3);
        assertThat(body.get("autoStopInterval").asInt()).isEqualTo(20);
        assertThat(body.get("autoDeleteInterval").asInt()).isZero();
        assertThat(body.get("networkBlockAll").asBoolean()).isFalse();
        assertThat(body.get("domainAllowList").asString()).isEqualTo("pypi.org");
        assertThat(body.get("networkAllowList").asString()).isEqualTo("10.1.0.0/16,192.168.1.7/32");
        assertThat(body.get("labels").get("perimeter.dev/sandbox-id").asString())
                .isEqualTo(sandboxId);
        assertThat(body.get("labels").get("perimeter.dev/tenant-id").asString()).isEqualTo("tenant-a");
        assertThat(body.get("labels").get("perimeter.dev/correlation-id").asString())
                .isEqualTo("corr-1");
        assertThat(body.get("labels").get("team").asString()).isEqualTo("x");
        assertThat(body.get("env").get("A").asString()).isEqualTo("b");
    }

    @Test
    void denyAllBlocksTheWholeNetwork() {
        createSandbox(sandboxSpec(Ids.next("sbx")));

        assertThat(fake.lastCreateBody().orElseThrow().get("networkBlockAll").asBoolean())
                .isTrue();
    }

    @Test
    void destroyByOurSandboxIdWorksToo() {
        String sandboxId = Ids.next("sbx");
        createSandbox(sandboxSpec(sandboxId));

        provider.destroy(sandboxId);

        assertThat(fake.liveSandboxNamed(sandboxId)).isEmpty();
    }

    @Test
    void timeoutKillsAProcessTreeThatIgnoresTerm() throws Exception {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        String marker = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
        String script =
                "trap '' TERM; (trap '' TERM; sleep " + marker + "; echo survived) & sleep " + marker + " & wait";
        ExecSpec spec = new ExecSpec(List.of("sh", "-c", script), null, Map.of(), Duration.ofSeconds(3), null, 1024);

        CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(
                () -> provider.exec(ref, spec, ExecOutput.DISCARD), Thread::startVirtualThread);
        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> withArgument(marker).size() >= 2);
        ExecResult result = running.get(60, TimeUnit.SECONDS);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(withArgument(marker)).isEmpty();
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
