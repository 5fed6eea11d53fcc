package dev.perimeter.provider.local;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.shared.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Snapshots as {@code snapshots/<snapshotId>.tar.gz} in the data directory, readable only by the server. */
final class LocalSnapshots {

    private final LocalLayout layout;

    LocalSnapshots(LocalLayout layout) {
        this.layout = layout;
    }

    /** Archives {@code workspace}; a snapshot with the same id is replaced, so a retry is harmless. */
    SnapshotResult take(Path workspace, String snapshotId) throws IOException {
        Path file = layout.snapshot(snapshotId);
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(
                file.getParent(),
                "." + snapshotId,
                ".partial",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                TarWriter.write(workspace, out);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return new SnapshotResult(snapshotId, Files.size(file), SnapshotPersistence.PERSISTENT);
    }

    /** Restores the snapshot into {@code target}, an empty directory no sandbox sees yet. */
    void restore(String snapshotRef, Path target) throws IOException {
        if (!LocalLayout.isId(snapshotRef)) {
            throw new NotFoundException("snapshot", snapshotRef);
        }
        InputStream archive;
        try {
            archive = Files.newInputStream(layout.snapshot(snapshotRef));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("snapshot", snapshotRef);
        }
        try (InputStream in = archive) {
            TarExtractor.extract(in, target);
        } catch (TarExtractor.HostileEntryException e) {
            throw new ProviderErrorException(
                    LocalSandboxProvider.TYPE,
                    "snapshot '" + snapshotRef + "' cannot be restored: " + e.getMessage(),
                    e);
        }
    }

    /** Deletes the snapshot; a missing one (or a reference that cannot be ours) is fine. */
    void delete(String snapshotRef) throws IOException {
        if (LocalLayout.isId(snapshotRef)) {
            Files.deleteIfExists(layout.snapshot(snapshotRef));
        }
    }
}
