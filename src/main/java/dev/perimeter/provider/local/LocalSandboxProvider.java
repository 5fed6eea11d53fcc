package dev.perimeter.provider.local;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProvisionedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.shared.CapabilityUnsupportedException;
import dev.perimeter.shared.NotFoundException;
import dev.perimeter.shared.ValidationFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes on this host. The provider reference is the sandbox id; everything a later call needs lives in the data
 * directory (see {@link LocalLayout}), so any instance serves any sandbox. Commands run through a {@link Launcher}:
 * bubblewrap, or directly on the host when isolation is off. With isolation off, egress modes are reported but not
 * enforced, which {@link ProviderCapabilities#isolated()} says.
 */
final class LocalSandboxProvider implements SandboxProvider {

    static final String TYPE = "local";

    private static final Logger log = LoggerFactory.getLogger(LocalSandboxProvider.class);

    private final LocalLayout layout;
    private final Launcher launcher;
    private final RunningExecs running = new RunningExecs();
    private final ProcessRunner runner = new ProcessRunner(running);
    private final WorkspaceFiles files = new WorkspaceFiles();
    private final LocalSnapshots snapshots;
    private final ProviderCapabilities capabilities;

    LocalSandboxProvider(LocalLayout layout, Launcher launcher) {
        this.layout = layout;
        this.launcher = launcher;
        this.snapshots = new LocalSnapshots(layout);
        this.capabilities = new ProviderCapabilities(
                true,
                SnapshotPersistence.PERSISTENT,
                Set.of(EgressMode.DENY_ALL, EgressMode.ALLOW_ALL),
                false,
                false,
                Set.of("local"),
                null,
                launcher.isolated());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProviderCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public ProvisionedSandbox create(SandboxSpec spec) {
        String id = spec.sandboxId();
        if (!LocalLayout.isId(id)) {
            throw new ValidationFailedException("sandboxId", "must match [a-z]+_[a-z0-9]+ (at most 64 characters)");
        }
        if (spec.egress().mode() == EgressMode.ALLOWLIST) {
            throw new CapabilityUnsupportedException(
                    TYPE,
                    "egress.mode",
                    "the local provider cannot enforce an egress allowlist; use DENY_ALL or ALLOW_ALL");
        }
        ExecEnvironment.validate("env", spec.env());
        Path workspace = layout.workspace(id);
        if (!Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS)) {
            try {
                provision(spec, workspace);
            } catch (IOException e) {
                cleanUpFailedCreate(id, workspace);
                throw failure("could not create sandbox " + id, e);
            } catch (RuntimeException e) {
                cleanUpFailedCreate(id, workspace);
                throw e;
            }
            log.debug("Created sandbox {} (egress {})", id, spec.egress().mode());
        }
        return new ProvisionedSandbox(id, SandboxStatus.RUNNING);
    }

    /** Settings first, then the workspace, built aside and renamed into place so it only ever appears whole. */
    private void provision(SandboxSpec spec, Path workspace) throws IOException {
        String id = spec.sandboxId();
        Files.createDirectories(layout.sandbox(id));
        new SandboxSettings(spec.egress().mode(), spec.env()).store(layout.settings(id));
        Path partial = Files.createTempDirectory(layout.sandbox(id), ".workspace");
        try {
            Files.setPosixFilePermissions(partial, Staging.defaultDirectoryMode());
            if (spec.fromSnapshotRef() != null) {
                snapshots.restore(spec.fromSnapshotRef(), partial);
            }
            Files.move(partial, workspace, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            log.debug("Sandbox {} was created concurrently", id);
        } finally {
            SecureDirectories.deleteRecursively(partial);
        }
    }

    @Override
    public SandboxStatus status(String providerRef) {
        return LocalLayout.isId(providerRef)
                        && Files.isDirectory(layout.workspace(providerRef), LinkOption.NOFOLLOW_LINKS)
                ? SandboxStatus.RUNNING
                : SandboxStatus.UNKNOWN;
    }

    @Override
    public ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output) {
        ExecSpecs.validate(spec);
        Path workspace = existingWorkspace(providerRef);
        Launcher.HostCommand command;
        try {
            command = launcher.prepare(workspace, SandboxSettings.load(layout.settings(providerRef)), spec);
        } catch (IOException e) {
            throw failure("could not prepare a command for sandbox " + providerRef, e);
        }
        try {
            return runner.run(providerRef, command, spec, output);
        } catch (IOException e) {
            if (launcher.isolated()) {
                throw failure("could not start bubblewrap", e);
            }
            return notStarted(e, output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderErrorException(TYPE, "interrupted while running a command", e);
        }
    }

    @Override
    public void writeFile(String providerRef, String path, byte[] content) {
        files.write(existingWorkspace(providerRef), layout.staging(providerRef), path, content);
    }

    @Override
    public Optional<byte[]> readFile(String providerRef, String path, long maxBytes) {
        return files.read(existingWorkspace(providerRef), path, maxBytes);
    }

    @Override
    public SnapshotResult snapshot(String providerRef, String snapshotId) {
        Path workspace = existingWorkspace(providerRef);
        if (!LocalLayout.isId(snapshotId)) {
            throw new ValidationFailedException("snapshotId", "must match [a-z]+_[a-z0-9]+ (at most 64 characters)");
        }
        try {
            return snapshots.take(workspace, snapshotId);
        } catch (IOException e) {
            throw failure("could not snapshot sandbox " + providerRef, e);
        }
    }

    @Override
    public void deleteSnapshot(String snapshotRef) {
        try {
            snapshots.delete(snapshotRef);
        } catch (IOException e) {
            throw failure("could not delete snapshot " + snapshotRef, e);
        }
    }

    @Override
    public void destroy(String providerRef) {
        if (!LocalLayout.isId(providerRef)) {
            return;
        }
        running.killAll(providerRef);
        try {
            SecureDirectories.deleteRecursively(layout.sandbox(providerRef));
        } catch (IOException e) {
            throw failure("could not delete sandbox " + providerRef, e);
        }
        log.debug("Destroyed sandbox {}", providerRef);
    }

    @Override
    public List<ManagedSandbox> listManaged() {
        if (!Files.isDirectory(layout.sandboxes())) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(layout.sandboxes())) {
            return entries.map(entry -> entry.getFileName().toString())
                    .filter(LocalLayout::isId)
                    .sorted()
                    .map(id -> new ManagedSandbox(id, id))
                    .toList();
        } catch (IOException e) {
            throw failure("could not list sandboxes", e);
        }
    }

    private Path existingWorkspace(String providerRef) {
        if (!LocalLayout.isId(providerRef)) {
            throw new NotFoundException("sandbox", providerRef);
        }
        Path workspace = layout.workspace(providerRef);
        if (!Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotFoundException("sandbox", providerRef);
        }
        return workspace;
    }

    /** With isolation off a missing program fails to start; report it as a shell would. */
    private static ExecResult notStarted(IOException e, ExecOutput output) {
        byte[] message = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        output.stderr(message);
        return new ExecResult(127, new byte[0], message, Duration.ZERO, false, false);
    }

    private void cleanUpFailedCreate(String sandboxId, Path workspace) {
        if (Files.isDirectory(workspace, LinkOption.NOFOLLOW_LINKS)) {
            return; // a concurrent create succeeded
        }
        try {
            SecureDirectories.deleteRecursively(layout.sandbox(sandboxId));
        } catch (IOException e) {
            log.warn("Could not clean up the failed sandbox {}", sandboxId, e);
        }
    }

    private static ProviderErrorException failure(String detail, IOException e) {
        log.error("{}", detail, e);
        return new ProviderErrorException(TYPE, detail, e);
    }
}
