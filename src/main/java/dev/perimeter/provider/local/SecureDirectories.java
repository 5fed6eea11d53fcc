package dev.perimeter.provider.local;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Directory operations relative to an open directory that never follow a symbolic link ({@code openat} with {@code
 * O_NOFOLLOW}), so a sandbox that swaps a directory for a link while the host works on its workspace cannot lead the
 * host outside it.
 */
final class SecureDirectories {

    /** Deeper trees are refused rather than exhausting file descriptors or stack. */
    static final int MAX_DEPTH = 1024;

    private static final Set<PosixFilePermission> OWNER_ALL = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private SecureDirectories() {}

    /** Opens a trusted directory (one of ours, not one inside a workspace). */
    static SecureDirectoryStream<Path> open(Path dir) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new IOException("the file system offers no secure directory streams; the local provider needs Linux");
    }

    /** Opens the directory {@code name} inside {@code parent}, refusing a link. */
    static SecureDirectoryStream<Path> enter(SecureDirectoryStream<Path> parent, String name) throws IOException {
        return parent.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
    }

    /** The attributes of {@code name} itself (not of what a link points to), or {@code null} when it is missing. */
    static @Nullable PosixFileAttributes attributes(SecureDirectoryStream<Path> dir, String name) throws IOException {
        try {
            return dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The names in {@code dir}, sorted. */
    static List<String> names(SecureDirectoryStream<Path> dir) {
        List<String> names = new ArrayList<>();
        for (Path entry : dir) {
            names.add(entry.getFileName().toString());
        }
        names.sort(null);
        return names;
    }

    /** Deletes {@code dir} and everything below it; links are deleted, never followed. Missing is fine. */
    static void deleteRecursively(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (SecureDirectoryStream<Path> stream = open(parent)) {
            delete(stream, dir.getFileName().toString(), 0);
        }
    }

    private static void delete(SecureDirectoryStream<Path> parent, String name, int depth) throws IOException {
        PosixFileAttributes attributes = attributes(parent, name);
        if (attributes == null) {
            return;
        }
        if (!attributes.isDirectory()) {
            deleteQuietlyIfGone(() -> parent.deleteFile(Path.of(name)));
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new IOException("directory tree deeper than " + MAX_DEPTH + " levels");
        }
        if (!attributes.permissions().containsAll(OWNER_ALL)) {
            Set<PosixFilePermission> permissions = EnumSet.copyOf(OWNER_ALL);
            permissions.addAll(attributes.permissions());
            parent.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(permissions);
        }
        // a command still running may add entries while we delete; a few passes catch up with it
        for (int pass = 1; ; pass++) {
            try (SecureDirectoryStream<Path> dir = enter(parent, name)) {
                for (String child : names(dir)) {
                    delete(dir, child, depth + 1);
                }
            }
            try {
                deleteQuietlyIfGone(() -> parent.deleteDirectory(Path.of(name)));
                return;
            } catch (DirectoryNotEmptyException e) {
                if (pass == 3) {
                    throw e;
                }
            }
        }
    }

    private static void deleteQuietlyIfGone(Deletion deletion) throws IOException {
        try {
            deletion.run();
        } catch (NoSuchFileException e) {
            // already gone: someone else deleted it first
        }
    }

    @FunctionalInterface
    private interface Deletion {
        void run() throws IOException;
    }
}
