package dev.perimeter.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.InvalidSandboxPathException;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.NotFoundException;
import dev.perimeter.shared.ValidationFailedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract, plus what only bubblewrap on this host can prove: isolation, kills, links, hostile archives. */
class LocalSandboxProviderTests extends LocalProviderContractTests {

    @TempDir
    Path dataDir;

    private LocalSandboxProvider provider;

    @BeforeEach
    void createProvider() {
        provider = bubblewrapProvider(dataDir);
    }

    static LocalSandboxProvider bubblewrapProvider(Path dataDir) {
        Path bwrap = Executables.find("bwrap")
                .orElseThrow(() -> new IllegalStateException(
                        "these tests need bubblewrap: apt-get install bubblewrap (or dnf install bubblewrap)"));
        return new LocalSandboxProvider(new LocalLayout(dataDir.resolve("local")), new BubblewrapCommand(bwrap));
    }

    @Override
    protected SandboxProvider provider() {
        return provider;
    }

    @Test
    void capabilitiesDescribeAnIsolatedHostProvider() {
        ProviderCapabilities capabilities = provider.capabilities();

        assertThat(provider.type()).isEqualTo("local");
        assertThat(capabilities.isolated()).isTrue();
        assertThat(capabilities.snapshots()).isTrue();
        assertThat(capabilities.snapshotPersistence()).isEqualTo(SnapshotPersistence.PERSISTENT);
        assertThat(capabilities.egressModes()).containsExactlyInAnyOrder(EgressMode.DENY_ALL, EgressMode.ALLOW_ALL);
        assertThat(capabilities.gpu()).isFalse();
        assertThat(capabilities.customImages()).isFalse();
        assertThat(capabilities.regions()).containsExactly("local");
        assertThat(capabilities.maxLifetime()).isNull();
    }

    @Test
    void sandboxHasOnlyLoopbackWithoutEgress() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result = run(ref, "cat", "/proc/net/dev");

        assertThat(TestProcesses.interfaces(text(result.stdout()))).containsExactly("lo");
    }

    @Test
    void sandboxCannotReachAHostListenerWithoutEgress() throws IOException {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {

            ExecResult result = run(ref, "bash", "-c", connectTo(server.getLocalPort()));

            assertThat(result.exitCode()).isNotZero();
            assertThat(text(result.stdout())).doesNotContain("connected");
        }
    }

    @Test
    void allowAllSharesTheHostNetwork() throws Exception {
        String ref = createSandbox(
                sandboxSpec(Ids.next("sbx"), new SandboxSpec.Egress(EgressMode.ALLOW_ALL, List.of()), Map.of(), null));
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(30_000);
            CompletableFuture<Boolean> accepted = CompletableFuture.supplyAsync(
                    () -> {
                        try (Socket socket = server.accept()) {
                            return socket.isConnected();
                        } catch (IOException e) {
                            return false;
                        }
                    },
                    background);

            ExecResult result = run(ref, "bash", "-c", connectTo(server.getLocalPort()));

            assertThat(text(result.stdout())).isEqualTo("connected\n");
            assertThat(accepted.get(30, TimeUnit.SECONDS)).isTrue();
        }
        ExecResult devices = run(ref, "cat", "/proc/net/dev");
        assertThat(TestProcesses.interfaces(text(devices.stdout())))
                .containsExactlyInAnyOrderElementsOf(TestProcesses.hostInterfaces());
    }

    @Test
    void writesOutsideTheWorkspaceFailAndTmpStaysInTheSandbox() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        String name = "perimeter-test-" + Ids.random(10);

        for (String dir : List.of("/usr", "/etc", "")) {
            ExecResult write = run(ref, "sh", "-c", "echo x > " + dir + "/" + name);
            assertThat(write.exitCode()).as("writing into %s/", dir).isNotZero();
            assertThat(Path.of(dir + "/" + name)).doesNotExist();
        }
        ExecResult tmp = run(ref, "sh", "-c", "echo private > /tmp/" + name + " && cat /tmp/" + name);
        assertThat(text(tmp.stdout())).isEqualTo("private\n");
        assertThat(Path.of("/tmp", name)).doesNotExist();
        assertThat(run(ref, "cat", "/tmp/" + name).exitCode())
                .as("each command gets a fresh /tmp")
                .isNotZero();
    }

    @Test
    void commandsRunAsAnUnprivilegedUserWithoutCapabilities() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result =
                run(ref, "sh", "-c", "id -u; id -g; grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status; pwd; echo $HOME");

        assertThat(text(result.stdout()))
                .isEqualTo("1000\n1000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
                        + "CapBnd:\t0000000000000000\n/workspace\n/workspace\n");
    }

    @Test
    void destroyKillsCommandsStillRunningInTheSandbox() throws Exception {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        String marker = TestProcesses.marker();
        ExecSpec spec = new ExecSpec(List.of("sleep", marker), null, Map.of(), Duration.ofMinutes(5), null, 1024);
        CompletableFuture<ExecResult> running =
                CompletableFuture.supplyAsync(() -> provider.exec(ref, spec, ExecOutput.DISCARD), background);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !TestProcesses.withArgument(marker).isEmpty());

        provider.destroy(ref);

        ExecResult result = running.get(30, TimeUnit.SECONDS);
        assertThat(result.timedOut()).isFalse();
        assertThat(result.exitCode()).isNotZero();
        assertThat(TestProcesses.withArgument(marker)).isEmpty();
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void linksThatLeadOutOfTheWorkspaceAreRefused() throws IOException {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        Path hostFile = Files.writeString(dataDir.resolve("host-file.txt"), "host only");
        run(ref, "ln", "-s", "/etc", "/workspace/out");
        run(ref, "ln", "-s", "/etc/passwd", "/workspace/pw");
        run(ref, "ln", "-s", hostFile.toAbsolutePath().toString(), "/workspace/host-file");
        run(ref, "ln", "-s", "../../../../../../../../etc", "/workspace/up");
        run(ref, "ln", "-s", dataDir.toAbsolutePath().toString(), "/workspace/host-dir");
        run(ref, "sh", "-c", "mkdir -p deep/er && ln -s ../../.. deep/er/climb");
        String planted = "perimeter-evil-" + Ids.random(8);

        for (String path : List.of("out/passwd", "pw", "host-file", "up/passwd", "deep/er/climb/x")) {
            assertThatThrownBy(() -> provider.readFile(ref, path, 1 << 20))
                    .as("reading %s", path)
                    .isInstanceOf(InvalidSandboxPathException.class);
        }
        for (String path : List.of("out/" + planted, "host-file", "up/" + planted, "host-dir/" + planted)) {
            assertThatThrownBy(() -> provider.writeFile(ref, path, bytes("x")))
                    .as("writing %s", path)
                    .isInstanceOf(InvalidSandboxPathException.class);
        }
        assertThat(Path.of("/etc", planted)).doesNotExist();
        assertThat(dataDir.resolve(planted)).doesNotExist();
        assertThat(hostFile).hasContent("host only");
    }

    @Test
    void linksThatStayInsideTheWorkspaceAreFollowed() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        provider.writeFile(ref, "real/file.txt", bytes("content"));
        run(ref, "ln", "-s", "real", "alias");
        run(ref, "ln", "-s", "/workspace/real/file.txt", "absolute");
        run(ref, "ln", "-s", "../real/file.txt", "real/self");

        provider.writeFile(ref, "alias/new.txt", bytes("through the link"));

        assertThat(provider.readFile(ref, "alias/file.txt", 1024)).hasValue(bytes("content"));
        assertThat(provider.readFile(ref, "absolute", 1024)).hasValue(bytes("content"));
        assertThat(provider.readFile(ref, "real/self", 1024)).hasValue(bytes("content"));
        assertThat(provider.readFile(ref, "real/new.txt", 1024)).hasValue(bytes("through the link"));
    }

    @Test
    void pathsThroughAFileOrToADirectoryAreRefused() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        provider.writeFile(ref, "dir/file.txt", bytes("x"));

        assertThatThrownBy(() -> provider.readFile(ref, "dir/file.txt/below", 1024))
                .isInstanceOf(InvalidSandboxPathException.class);
        assertThatThrownBy(() -> provider.writeFile(ref, "dir/file.txt/below", bytes("x")))
                .isInstanceOf(InvalidSandboxPathException.class);
        assertThatThrownBy(() -> provider.readFile(ref, "dir", 1024)).isInstanceOf(InvalidSandboxPathException.class);
        assertThatThrownBy(() -> provider.writeFile(ref, "dir", bytes("x")))
                .isInstanceOf(InvalidSandboxPathException.class);
        assertThatThrownBy(() -> provider.readFile(ref, "nul\0byte", 1024))
                .isInstanceOf(InvalidSandboxPathException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sbx_doesnotexist", "../../etc", "sbx_../x", "SBX_UPPER", "sbx_a/../../b", ""})
    void unknownOrMalformedReferencesAreNotFound(String ref) {
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.UNKNOWN);
        assertThatThrownBy(() -> provider.exec(ref, execSpec(List.of("true")), ExecOutput.DISCARD))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider.readFile(ref, "x", 1024)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider.writeFile(ref, "x", bytes("x"))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider.snapshot(ref, Ids.next("snap"))).isInstanceOf(NotFoundException.class);
        provider.destroy(ref);
        provider.deleteSnapshot(ref);
    }

    @Test
    void malformedSandboxIdIsRefusedBeforeTouchingTheFileSystem() throws IOException {
        assertThatThrownBy(() -> provider.create(sandboxSpec("../escape")))
                .isInstanceOf(ValidationFailedException.class);

        try (var files = Files.walk(dataDir)) {
            assertThat(files.map(path -> path.getFileName().toString())).doesNotContain("escape");
        }
    }

    @Test
    void invalidEnvironmentNamesAreRefused() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        for (String name : List.of("BAD-NAME", "1LEADING_DIGIT", "A=B", "")) {
            ExecSpec spec = new ExecSpec(List.of("true"), null, Map.of(name, "x"), Duration.ofSeconds(5), null, 1024);
            assertThatThrownBy(() -> provider.exec(ref, spec, ExecOutput.DISCARD))
                    .as("exec env %s", name)
                    .isInstanceOf(ValidationFailedException.class);
            assertThatThrownBy(() -> provider.create(sandboxSpec(Ids.next("sbx"), Map.of(name, "x"))))
                    .as("sandbox env %s", name)
                    .isInstanceOf(ValidationFailedException.class);
        }
    }

    @Test
    void settingsLiveBesideTheWorkspaceForAnyInstanceAndOnlyTheOwnerCanRead() throws IOException {
        String id = Ids.next("sbx");
        createSandbox(sandboxSpec(
                id, new SandboxSpec.Egress(EgressMode.ALLOW_ALL, List.of()), Map.of("API_TOKEN", "s3cret"), null));
        Path settings = dataDir.resolve("local/sandboxes").resolve(id).resolve("sandbox.properties");

        LocalSandboxProvider restarted = bubblewrapProvider(dataDir);
        ExecResult env = restarted.exec(id, execSpec(List.of("sh", "-c", "echo $API_TOKEN")), ExecOutput.DISCARD);
        ExecResult network = restarted.exec(id, execSpec(List.of("cat", "/proc/net/dev")), ExecOutput.DISCARD);

        assertThat(Files.getPosixFilePermissions(settings)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(text(env.stdout())).isEqualTo("s3cret\n");
        assertThat(TestProcesses.interfaces(text(network.stdout())))
                .containsExactlyInAnyOrderElementsOf(TestProcesses.hostInterfaces());
    }

    @Test
    void snapshotKeepsLinksAsLinksAndPermissions() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        run(
                ref,
                "sh",
                "-c",
                "printf '#!/bin/sh\\necho ran\\n' > tool.sh && chmod 750 tool.sh"
                        + " && ln -s /etc/passwd link && mkdir private && chmod 700 private");
        String snapshotId = Ids.next("snap");
        provider.snapshot(ref, snapshotId);

        String restored = createSandbox(sandboxSpec(Ids.next("sbx"), Map.of(), snapshotId));
        ExecResult result = run(restored, "sh", "-c", "stat -c '%a %F' tool.sh private; readlink link; ./tool.sh");
        provider.deleteSnapshot(snapshotId);

        assertThat(text(result.stdout())).isEqualTo("750 regular file\n700 directory\n/etc/passwd\nran\n");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "parent                   | contains '..'",
                "absolute                 | is absolute",
                "below-a-link             | lies below a symbolic link",
                "hard-link-outside        | contains '..'",
                "hard-link-through-a-link | is a hard link through a symbolic link"
            })
    void hostileSnapshotFailsToRestoreAndWritesNothingOutside(String attack, String reason) throws IOException {
        String snapshotId = Ids.next("snap");
        Path outsideFile = Path.of("/tmp", "perimeter-evil-" + Ids.random(10));
        HostileArchives.write(
                attack, dataDir.resolve("local/snapshots").resolve(snapshotId + ".tar.gz"), dataDir, outsideFile);
        String id = Ids.next("sbx");

        assertThatThrownBy(() -> provider.create(sandboxSpec(id, Map.of(), snapshotId)))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining(snapshotId)
                .hasMessageContaining(reason);

        assertThat(outsideFile).doesNotExist();
        try (var files = Files.walk(dataDir)) {
            assertThat(files.map(path -> path.getFileName().toString())).doesNotContain(HostileArchives.EVIL);
        }
        assertThat(provider.status(id)).isEqualTo(SandboxStatus.UNKNOWN);
        assertThat(dataDir.resolve("local/sandboxes").resolve(id)).doesNotExist();
    }

    @Test
    void restoringAMissingSnapshotIsNotFound() {
        String id = Ids.next("sbx");

        assertThatThrownBy(() -> provider.create(sandboxSpec(id, Map.of(), Ids.next("snap"))))
                .isInstanceOf(NotFoundException.class);
        assertThat(provider.status(id)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void destroyDeletesLinksWithoutFollowingThemAndCopesWithReadOnlyDirectories() throws IOException {
        Path outside = Files.createDirectory(dataDir.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        run(ref, "ln", "-s", outside.toAbsolutePath().toString(), "link-to-host-dir");
        run(ref, "sh", "-c", "mkdir -p ro/inner && echo x > ro/inner/f && chmod 500 ro/inner ro");

        provider.destroy(ref);

        assertThat(outside.resolve("keep.txt")).hasContent("keep");
        assertThat(dataDir.resolve("local/sandboxes").resolve(ref)).doesNotExist();
    }

    @Test
    void missingProgramReportsBubblewrapsFailure() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result = run(ref, "no-such-program");

        assertThat(result.exitCode()).isNotZero();
        assertThat(text(result.stderr())).contains("no-such-program");
    }

    private static String connectTo(int port) {
        return "exec 3<>/dev/tcp/127.0.0.1/" + port + " && echo connected";
    }
}
