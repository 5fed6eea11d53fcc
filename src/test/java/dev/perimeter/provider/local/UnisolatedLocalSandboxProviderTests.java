package dev.perimeter.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.InvalidSandboxPathException;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.shared.Ids;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract with isolation switched off: commands run directly on the host, in the workspace. */
class UnisolatedLocalSandboxProviderTests extends LocalProviderContractTests {

    @TempDir
    Path dataDir;

    private LocalSandboxProvider provider;

    @BeforeEach
    void createProvider() {
        provider = new LocalSandboxProvider(new LocalLayout(dataDir.resolve("local")), new UnisolatedCommand());
    }

    @Override
    protected SandboxProvider provider() {
        return provider;
    }

    @Test
    void reportsThatSandboxesAreNotIsolated() {
        assertThat(provider.capabilities().isolated()).isFalse();
    }

    @Test
    void commandsRunInTheWorkspaceWithAClearedEnvironment() throws IOException {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx"), Map.of("FROM_SANDBOX", "yes")));
        Path workspace = dataDir.resolve("local/sandboxes")
                .resolve(ref)
                .resolve("workspace")
                .toRealPath();

        ExecResult result = run(ref, "sh", "-c", "pwd; echo $HOME; echo $FROM_SANDBOX; env | sort | cut -d= -f1");

        assertThat(text(result.stdout()).lines().toList())
                .startsWith(workspace.toString(), workspace.toString(), "yes")
                .containsOnlyOnce("PATH", "HOME", "LANG")
                .doesNotContain("JAVA_HOME", "MAVEN_OPTS", "USER");
    }

    @Test
    void workingDirectoryOutsideTheWorkspaceIsRefused() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        ExecSpec spec = new ExecSpec(List.of("pwd"), "/etc", Map.of(), Duration.ofSeconds(5), null, 1024);
        ExecSpec escaping = new ExecSpec(List.of("pwd"), "../..", Map.of(), Duration.ofSeconds(5), null, 1024);

        assertThatThrownBy(() -> provider.exec(ref, spec, ExecOutput.DISCARD))
                .isInstanceOf(InvalidSandboxPathException.class);
        assertThatThrownBy(() -> provider.exec(ref, escaping, ExecOutput.DISCARD))
                .isInstanceOf(InvalidSandboxPathException.class);
    }

    @Test
    void missingProgramExitsWith127LikeAShell() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result = run(ref, "no-such-program-" + Ids.random(6));

        assertThat(result.exitCode()).isEqualTo(127);
        assertThat(text(result.stderr())).contains("no-such-program");
    }
}
