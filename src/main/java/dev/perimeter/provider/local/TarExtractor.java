package dev.perimeter.provider.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Restores a tarball written by {@link TarWriter} into an empty directory that no sandbox can see yet. An archive is
 * data, not trusted: an entry that is absolute, contains {@code ..}, lies below a symbolic link, or hard-links to
 * anything but a file restored before it fails the whole restore; nothing is ever written outside the directory.
 * Set-id bits are dropped; devices and FIFOs are skipped.
 */
final class TarExtractor {

    private TarExtractor() {}

    /** Thrown for an entry that would escape the target directory. */
    static final class HostileEntryException extends IOException {
        HostileEntryException(String entry, String why) {
            super("entry '" + (entry.length() > 200 ? entry.substring(0, 200) + "…" : entry) + "' " + why);
        }
    }

    private record Directory(Path path, Set<PosixFilePermission> mode, FileTime modified) {}

    static void extract(InputStream in, Path target) throws IOException {
        Path root = target.toRealPath();
        List<Directory> directories = new ArrayList<>();
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new GzipCompressorInputStream(new BufferedInputStream(in)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = resolve(root, entry.getName());
                if (path.equals(root)) {
                    continue;
                }
                createParents(root, path, entry.getName());
                if (entry.isDirectory()) {
                    directory(path, entry.getName());
                    directories.add(new Directory(path, mode(entry), entry.getLastModifiedTime()));
                } else if (entry.isSymbolicLink()) {
                    symbolicLink(path, entry);
                } else if (entry.isLink()) {
                    hardLink(root, path, entry);
                } else if (entry.isFile()) {
                    file(tar, path, entry);
                }
            }
        }
        for (Directory directory : directories.reversed()) {
            Files.setPosixFilePermissions(directory.path(), directory.mode());
            Files.setLastModifiedTime(directory.path(), directory.modified());
        }
    }

    /** The path of an entry inside {@code root}, refusing absolute names and {@code ..}. */
    private static Path resolve(Path root, String name) throws HostileEntryException {
        if (name.startsWith("/")) {
            throw new HostileEntryException(name, "is absolute");
        }
        if (name.indexOf('\0') >= 0) {
            throw new HostileEntryException(name, "contains a NUL character");
        }
        Path path = root;
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new HostileEntryException(name, "contains '..'");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                path = path.resolve(part);
            }
        }
        return path;
    }

    /** Creates missing parents, refusing to go through anything but a real directory. */
    private static void createParents(Path root, Path path, String name) throws IOException {
        Path current = root;
        for (Path part : root.relativize(path.getParent())) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new HostileEntryException(name, "lies below a symbolic link");
            }
            if (!Files.exists(current, NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            } else if (!Files.isDirectory(current, NOFOLLOW_LINKS)) {
                throw new HostileEntryException(name, "lies below something that is not a directory");
            }
        }
    }

    private static void directory(Path path, String name) throws IOException {
        if (!Files.exists(path, NOFOLLOW_LINKS)) {
            Files.createDirectory(path);
        } else if (!Files.isDirectory(path, NOFOLLOW_LINKS)) {
            throw new HostileEntryException(name, "replaces something that is not a directory");
        }
    }

    private static void file(InputStream tar, Path path, TarArchiveEntry entry) throws IOException {
        try (OutputStream out =
                Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW_LINKS)) {
            tar.transferTo(out);
        }
        Files.setPosixFilePermissions(path, mode(entry));
        Files.setLastModifiedTime(path, entry.getLastModifiedTime());
    }

    private static void symbolicLink(Path path, TarArchiveEntry entry) throws IOException {
        if (entry.getLinkName().isEmpty() || entry.getLinkName().indexOf('\0') >= 0) {
            throw new HostileEntryException(entry.getName(), "is a symbolic link to an impossible target");
        }
        // the target is only text here: it is resolved inside the sandbox, never by the host
        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
    }

    /** A hard link becomes a copy of a regular file restored earlier in the archive. */
    private static void hardLink(Path root, Path path, TarArchiveEntry entry) throws IOException {
        Path source = resolve(root, entry.getLinkName());
        Path current = root;
        for (Path part : root.relativize(source)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new HostileEntryException(entry.getName(), "is a hard link through a symbolic link");
            }
        }
        if (!Files.isRegularFile(source, NOFOLLOW_LINKS)) {
            throw new HostileEntryException(entry.getName(), "is a hard link to no file restored before it");
        }
        Files.copy(source, path, NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static Set<PosixFilePermission> mode(TarArchiveEntry entry) {
        return PosixModes.permissions(entry.getMode());
    }
}
