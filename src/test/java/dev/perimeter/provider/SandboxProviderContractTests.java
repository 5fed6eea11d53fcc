package dev.perimeter.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.shared.Ids;
import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.shared.ValidationFailedException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cases every {@link SandboxProvider} must pass. A provider's test class extends this and supplies {@link
 * #provider()}; sandboxes and snapshots made through the helpers here are destroyed after each test.
 */
public abstract class SandboxProviderContractTests {

    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> snapshots = new ArrayList<>();

    /** The provider under test. */
    protected abstract SandboxProvider provider();

    /**
     * Whether command output reaches the caller byte for byte. A vendor whose output channel is UTF-8 text (Vercel's
     * NDJSON {@code data} strings) answers {@code false}: bytes that are not UTF-8 then arrive as U+FFFD, and only files
     * carry binary content exactly.
     */
    protected boolean commandOutputIsBinarySafe() {
        return true;
    }

    /** A reference the provider has never handed out, in the shape of its references. */
    protected String unknownProviderRef() {
        return Ids.next("sbx");
    }

    @AfterEach
    protected void destroyWhatTheTestCreated() {
        sandboxes.forEach(ref -> provider().destroy(ref));
        snapshots.forEach(ref -> provider().deleteSnapshot(ref));
    }

    @Test
    void createdSandboxRunsCommandsAndIsGoneAfterDestroy() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        assertThat(provider().status(ref)).isEqualTo(SandboxStatus.RUNNING);

        ExecResult result = run(ref, "echo", "hello from the sandbox");

        assertThat(result.exitCode()).isZero();
        assertThat(text(result.stdout())).isEqualTo("hello from the sandbox\n");
        assertThat(result.timedOut()).isFalse();
        assertThat(result.truncated()).isFalse();
        provider().destroy(ref);
        assertThat(provider().status(ref)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void listManagedShowsSandboxesByOurIdUntilTheyAreDestroyed() {
        String sandboxId = Ids.next("sbx");
        String ref = createSandbox(sandboxSpec(sandboxId));

        assertThat(provider().listManaged()).contains(new ManagedSandbox(sandboxId, ref));
        provider().destroy(ref);
        assertThat(provider().listManaged())
                .extracting(ManagedSandbox::sandboxId)
                .doesNotContain(sandboxId);
    }

    @Test
    void createIsIdempotentForTheSameSandboxId() {
        SandboxSpec spec = sandboxSpec(Ids.next("sbx"));
        String first = createSandbox(spec);
        provider().writeFile(first, "kept.txt", bytes("still here"));

        ProvisionedSandbox again = provider().create(spec);

        assertThat(again.providerRef()).isEqualTo(first);
        assertThat(provider().readFile(first, "kept.txt", 1024))
                .hasValueSatisfying(content -> assertThat(text(content)).isEqualTo("still here"));
    }

    @Test
    void execReportsExitCodeAndStderr() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result = run(ref, "sh", "-c", "echo out; echo oops >&2; exit 3");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(text(result.stdout())).isEqualTo("out\n");
        assertThat(text(result.stderr())).isEqualTo("oops\n");
    }

    @Test
    void outputIsPassedToTheListenerAsWellAsReturned() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        CollectingOutput output = new CollectingOutput();

        ExecResult result =
                provider().exec(ref, execSpec(List.of("sh", "-c", "echo one; echo two >&2; echo three")), output);

        assertThat(text(output.stdoutSoFar())).isEqualTo("one\nthree\n").isEqualTo(text(result.stdout()));
        assertThat(text(output.stderrSoFar())).isEqualTo("two\n").isEqualTo(text(result.stderr()));
    }

    @Test
    void stdinReachesTheCommand() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        ExecSpec spec = new ExecSpec(List.of("cat"), null, Map.of(), Duration.ofSeconds(30), bytes("piped in\n"), 1024);

        ExecResult result = provider().exec(ref, spec, ExecOutput.DISCARD);

        assertThat(result.exitCode()).isZero();
        assertThat(text(result.stdout())).isEqualTo("piped in\n");
    }

    @Test
    void commandWithoutStdinSeesEndOfInput() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result = run(ref, "sh", "-c", "cat; echo done");

        assertThat(result.timedOut()).isFalse();
        assertThat(text(result.stdout())).isEqualTo("done\n");
    }

    @Test
    void sandboxAndExecEnvironmentReachTheCommandExecWinning() {
        SandboxSpec spec = sandboxSpec(Ids.next("sbx"), Map.of("FROM_SANDBOX", "sandbox", "BOTH", "sandbox"));
        String ref = createSandbox(spec);
        ExecSpec exec = new ExecSpec(
                List.of("sh", "-c", "echo \"$FROM_SANDBOX $BOTH $FROM_EXEC\""),
                null,
                Map.of("BOTH", "exec", "FROM_EXEC", "exec only"),
                Duration.ofSeconds(30),
                null,
                1024);

        ExecResult result = provider().exec(ref, exec, ExecOutput.DISCARD);

        assertThat(text(result.stdout())).isEqualTo("sandbox exec exec only\n");
    }

    @Test
    void relativeWorkingDirectoryIsInsideTheWorkspace() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        provider().writeFile(ref, "sub/dir/marker.txt", bytes("here"));
        ExecSpec spec =
                new ExecSpec(List.of("cat", "marker.txt"), "sub/dir", Map.of(), Duration.ofSeconds(30), null, 1024);

        ExecResult result = provider().exec(ref, spec, ExecOutput.DISCARD);

        assertThat(result.exitCode()).isZero();
        assertThat(text(result.stdout())).isEqualTo("here");
    }

    @Test
    void writtenFileReadsBackAndIsVisibleToCommands() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        byte[] content = {0, 1, 2, (byte) 0xff, 'x', '\n'};

        provider().writeFile(ref, "dir/sub/data.bin", content);

        assertThat(provider().readFile(ref, "dir/sub/data.bin", 1024)).hasValue(content);
        ExecResult cat = run(ref, "cat", "dir/sub/data.bin");
        assertThat(cat.stdout())
                .isEqualTo(commandOutputIsBinarySafe() ? content : new String(content, UTF_8).getBytes(UTF_8));
    }

    @Test
    void fileWrittenByACommandCanBeRead() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        run(ref, "sh", "-c", "mkdir -p made && echo made by a command > made/it.txt");

        assertThat(provider().readFile(ref, "made/it.txt", 1024))
                .hasValueSatisfying(content -> assertThat(text(content)).isEqualTo("made by a command\n"));
    }

    @Test
    void writingAnExistingFileReplacesItsContent() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        provider().writeFile(ref, "notes.txt", bytes("a much longer first version"));

        provider().writeFile(ref, "notes.txt", bytes("second"));

        assertThat(provider().readFile(ref, "notes.txt", 1024))
                .hasValueSatisfying(content -> assertThat(text(content)).isEqualTo("second"));
    }

    @Test
    void readingAMissingFileIsEmpty() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        assertThat(provider().readFile(ref, "no-such-file.txt", 1024)).isEmpty();
        assertThat(provider().readFile(ref, "no/such/dir/file.txt", 1024)).isEmpty();
    }

    @Test
    void readingAFileLargerThanTheLimitIsRefused() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        provider().writeFile(ref, "big.txt", new byte[2048]);

        assertThatThrownBy(() -> provider().readFile(ref, "big.txt", 1024))
                .isInstanceOf(PayloadTooLargeException.class);
        assertThat(provider().readFile(ref, "big.txt", 2048))
                .hasValueSatisfying(content -> assertThat(content).hasSize(2048));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/etc/passwd", "a/../../x", "..", ""})
    void pathsOutsideTheWorkspaceAreRefused(String path) {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        assertThatThrownBy(() -> provider().readFile(ref, path, 1024)).isInstanceOf(InvalidSandboxPathException.class);
        assertThatThrownBy(() -> provider().writeFile(ref, path, bytes("x")))
                .isInstanceOf(InvalidSandboxPathException.class);
    }

    @Test
    void snapshotRestoresIntoANewSandbox() {
        assertThat(provider().capabilities().snapshots()).isTrue();
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        provider().writeFile(ref, "project/readme.md", bytes("# saved\n"));
        run(ref, "sh", "-c", "mkdir -p project/empty && echo from a command > project/cmd.txt");
        String snapshotId = Ids.next("snap");

        SnapshotResult snapshot = provider().snapshot(ref, snapshotId);
        snapshots.add(snapshot.snapshotRef());
        provider().writeFile(ref, "project/readme.md", bytes("changed after the snapshot"));
        SandboxSpec restore = sandboxSpec(Ids.next("sbx"), Map.of(), snapshot.snapshotRef());
        String restored = createSandbox(restore);

        assertThat(snapshot.sizeBytes()).isPositive();
        assertThat(snapshot.persistence()).isEqualTo(provider().capabilities().snapshotPersistence());
        assertThat(provider().readFile(restored, "project/readme.md", 1024))
                .hasValueSatisfying(content -> assertThat(text(content)).isEqualTo("# saved\n"));
        ExecResult listing = run(restored, "sh", "-c", "cat project/cmd.txt && test -d project/empty && echo dir");
        assertThat(text(listing.stdout())).isEqualTo("from a command\ndir\n");
    }

    @Test
    void deletingASnapshotTwiceIsNotAnError() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        SnapshotResult snapshot = provider().snapshot(ref, Ids.next("snap"));

        provider().deleteSnapshot(snapshot.snapshotRef());

        assertThatCode(() -> provider().deleteSnapshot(snapshot.snapshotRef())).doesNotThrowAnyException();
    }

    @Test
    void destroyTwiceIsNotAnError() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        provider().destroy(ref);

        assertThatCode(() -> provider().destroy(ref)).doesNotThrowAnyException();
        assertThat(provider().status(ref)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void statusOfAnUnknownReferenceIsUnknown() {
        assertThat(provider().status(unknownProviderRef())).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void destroyOfAnUnknownReferenceReturnsNormally() {
        assertThatCode(() -> provider().destroy(unknownProviderRef())).doesNotThrowAnyException();
    }

    @Test
    void missingProgramIsAFailedResultNotAnException() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        ExecResult result = run(ref, "no-such-program-" + Ids.random(8));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.timedOut()).isFalse();
    }

    @Test
    void emptyCommandIsRejected() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));

        assertThatThrownBy(() -> provider().exec(ref, execSpec(List.of()), ExecOutput.DISCARD))
                .isInstanceOf(ValidationFailedException.class);
    }

    @Test
    void timeoutKillsTheCommandAndSaysSo() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        ExecSpec spec = new ExecSpec(List.of("sleep", "60"), null, Map.of(), Duration.ofSeconds(1), null, 1024);

        ExecResult result = provider().exec(ref, spec, ExecOutput.DISCARD);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.duration()).isLessThan(Duration.ofSeconds(50));
    }

    @Test
    void outputPastTheCapIsDroppedAndFlagged() {
        String ref = createSandbox(sandboxSpec(Ids.next("sbx")));
        CollectingOutput output = new CollectingOutput();
        ExecSpec spec = new ExecSpec(
                List.of("sh", "-c", "head -c 200000 /dev/zero; echo done >&2"),
                null,
                Map.of(),
                Duration.ofSeconds(30),
                null,
                1000);

        ExecResult result = provider().exec(ref, spec, output);

        assertThat(result.exitCode()).isZero();
        assertThat(result.truncated()).isTrue();
        assertThat(result.stdout()).hasSize(1000);
        assertThat(output.stdoutSoFar().length).isEqualTo(1000);
        assertThat(text(result.stderr())).isEqualTo("done\n");
    }

    /** Creates a sandbox that is destroyed after the test. */
    protected String createSandbox(SandboxSpec spec) {
        ProvisionedSandbox sandbox = provider().create(spec);
        sandboxes.add(sandbox.providerRef());
        return sandbox.providerRef();
    }

    protected SandboxSpec sandboxSpec(String sandboxId) {
        return sandboxSpec(sandboxId, Map.of());
    }

    protected SandboxSpec sandboxSpec(String sandboxId, Map<String, String> env) {
        return sandboxSpec(sandboxId, env, null);
    }

    protected SandboxSpec sandboxSpec(String sandboxId, Map<String, String> env, @Nullable String fromSnapshotRef) {
        return sandboxSpec(sandboxId, SandboxSpec.Egress.denyAll(), env, fromSnapshotRef);
    }

    protected SandboxSpec sandboxSpec(
            String sandboxId, SandboxSpec.Egress egress, Map<String, String> env, @Nullable String fromSnapshotRef) {
        return new SandboxSpec(
                sandboxId,
                "contract-tests",
                Ids.random(12),
                provider().capabilities().regions().iterator().next(),
                null,
                new SandboxSpec.Resources(1, 512, null),
                egress,
                env,
                Map.of("suite", "contract"),
                Duration.ofMinutes(15),
                fromSnapshotRef);
    }

    /** Runs {@code argv} in the workspace with a 30 second timeout and a 1 MiB output cap. */
    protected ExecResult run(String ref, String... argv) {
        return provider().exec(ref, execSpec(List.of(argv)), ExecOutput.DISCARD);
    }

    protected static ExecSpec execSpec(List<String> argv) {
        return new ExecSpec(argv, null, Map.of(), Duration.ofSeconds(30), null, 1024 * 1024);
    }

    protected static String text(byte[] bytes) {
        return new String(bytes, UTF_8);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /** Collects everything a provider passes on. */
    protected static final class CollectingOutput implements ExecOutput {

        private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        public synchronized byte[] stdoutSoFar() {
            return stdout.toByteArray();
        }

        public synchronized byte[] stderrSoFar() {
            return stderr.toByteArray();
        }

        @Override
        public synchronized void stdout(byte[] chunk) {
            stdout.writeBytes(chunk);
        }

        @Override
        public synchronized void stderr(byte[] chunk) {
            stderr.writeBytes(chunk);
        }
    }
}
