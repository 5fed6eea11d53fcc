package dev.perimeter.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.SandboxProviderContractTests;
import dev.perimeter.shared.Ids;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract plus what the local provider promises in both isolation modes and can prove from this host's process
 * table: a timeout kills the whole process tree.
 */
abstract class LocalProviderContractTests extends SandboxProviderContractTests {

    protected final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stopBackgroundWork() {
        background.shutdownNow();
    }

    @Test
    void timeoutKillsAProcessTreeThatIgnoresTerm() throws Exception {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        String marker = TestProcesses.marker();
        String script =
                "trap '' TERM; (trap '' TERM; sleep " + marker + "; echo survived) & sleep " + marker + " & wait";
        ExecSpec spec = new ExecSpec(List.of("sh", "-c", script), null, Map.of(), Duration.ofSeconds(4), null, 1024);

        CompletableFuture<ExecResult> running =
                CompletableFuture.supplyAsync(() -> provider().exec(ref, spec, ExecOutput.DISCARD), background);
        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> TestProcesses.withArgument(marker).size() >= 2);
        ExecResult result = running.get(60, TimeUnit.SECONDS);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(TestProcesses.withArgument(marker)).isEmpty();
    }
}
