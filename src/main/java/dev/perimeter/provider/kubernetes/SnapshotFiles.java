package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.ProviderErrorException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Workspace tars as {@code <snapshotRef>.tar} in a directory every replica shares, readable only by the server; kept
 * until the snapshot is deleted.
 */
final class SnapshotFiles {

    private static final Pattern REF = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private final Path directory;

    SnapshotFiles(Path directory) {
        this.directory = directory;
    }

    /**
     * Writes the tar that {@code writer} streams; a snapshot of the same ref is replaced whole, so a retry is harmless.
     * Nothing is kept when {@code writer} answers {@code false}.
     */
    long write(String snapshotRef, Function<OutputStream, Boolean> writer) {
        Path file = file(snapshotRef);
        try {
            Files.createDirectories(directory);
            Path temp = Files.createTempFile(
                    directory,
                    "." + snapshotRef,
                    ".partial",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                boolean complete;
                try (OutputStream out = Files.newOutputStream(temp)) {
                    complete = writer.apply(out);
                }
                if (!complete) {
                    return -1;
                }
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return Files.size(file);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<Path> find(String snapshotRef) {
        if (!REF.matcher(snapshotRef).matches()) {
            return Optional.empty();
        }
        Path file = file(snapshotRef);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    void delete(String snapshotRef) {
        if (!REF.matcher(snapshotRef).matches()) {
            return;
        }
        try {
            Files.deleteIfExists(file(snapshotRef));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String snapshotRef) {
        if (!REF.matcher(snapshotRef).matches()) {
            throw new ProviderErrorException(
                    KubernetesSandboxProvider.TYPE, "not a snapshot reference: " + snapshotRef, null);
        }
        return directory.resolve(snapshotRef + ".tar");
    }
}
