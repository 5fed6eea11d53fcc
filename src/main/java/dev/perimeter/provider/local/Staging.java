package dev.perimeter.provider.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A host-only directory beside the workspace where new files and directories are made before they are renamed into
 * place ({@code renameat} relative to open directories), so a write never resolves a path inside the workspace.
 */
final class Staging implements AutoCloseable {

    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r--r--");

    private final Path dir;
    private final SecureDirectoryStream<Path> stream;

    Staging(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.dir = dir;
        this.stream = SecureDirectories.open(dir);
    }

    /** Creates the directory {@code name} in {@code parent}. */
    void createDirectory(SecureDirectoryStream<Path> parent, String name) throws IOException {
        Path temp = Files.createTempDirectory(dir, ".dir");
        Files.setPosixFilePermissions(temp, DIRECTORY);
        moveInto(temp, parent, name);
    }

    /** Creates or replaces the file {@code name} in {@code parent} with {@code content} and {@code mode}. */
    void writeFile(SecureDirectoryStream<Path> parent, String name, byte[] content, Set<PosixFilePermission> mode)
            throws IOException {
        Path temp = Files.createTempFile(dir, ".file", ".tmp");
        Files.write(temp, content);
        Files.setPosixFilePermissions(temp, mode);
        moveInto(temp, parent, name);
    }

    static Set<PosixFilePermission> defaultDirectoryMode() {
        return DIRECTORY;
    }

    static Set<PosixFilePermission> defaultFileMode() {
        return FILE;
    }

    private void moveInto(Path temp, SecureDirectoryStream<Path> parent, String name) throws IOException {
        try {
            stream.move(temp.getFileName(), parent, Path.of(name));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
