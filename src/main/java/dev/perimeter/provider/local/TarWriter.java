package dev.perimeter.provider.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Writes a workspace as a gzipped POSIX tar: directories, regular files and symbolic links (stored as links, never
 * followed) with their permission bits and modification times. Other file types are left out. The tree is walked
 * through directories opened without following links, so a sandbox renaming things meanwhile cannot smuggle host
 * files in.
 */
final class TarWriter {

    private static final int FILE = 0100000;
    private static final int DIRECTORY = 040000;
    private static final int LINK = 0120000;
    private static final int BUFFER = 64 * 1024;

    private TarWriter() {}

    static void write(Path workspace, OutputStream out) throws IOException {
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(out);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip);
                SecureDirectoryStream<Path> root = SecureDirectories.open(workspace)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            addChildren(tar, root, workspace, "", 0);
            tar.finish();
        }
    }

    private static void addChildren(
            TarArchiveOutputStream tar, SecureDirectoryStream<Path> dir, Path hostDir, String prefix, int depth)
            throws IOException {
        if (depth > SecureDirectories.MAX_DEPTH) {
            throw new IOException("directory tree deeper than " + SecureDirectories.MAX_DEPTH + " levels");
        }
        for (String name : SecureDirectories.names(dir)) {
            PosixFileAttributes attributes = SecureDirectories.attributes(dir, name);
            if (attributes == null) {
                continue;
            }
            String entryName = prefix + name;
            int permissions = PosixModes.bits(attributes.permissions());
            if (attributes.isSymbolicLink()) {
                TarArchiveEntry entry = new TarArchiveEntry(entryName, TarConstants.LF_SYMLINK);
                entry.setLinkName(Files.readSymbolicLink(hostDir.resolve(name)).toString());
                entry.setMode(LINK | 0777);
                put(tar, entry, attributes);
                tar.closeArchiveEntry();
            } else if (attributes.isDirectory()) {
                TarArchiveEntry entry = new TarArchiveEntry(entryName + "/");
                entry.setMode(DIRECTORY | permissions);
                put(tar, entry, attributes);
                tar.closeArchiveEntry();
                try (SecureDirectoryStream<Path> child = SecureDirectories.enter(dir, name)) {
                    addChildren(tar, child, hostDir.resolve(name), entryName + "/", depth + 1);
                }
            } else if (attributes.isRegularFile()) {
                TarArchiveEntry entry = new TarArchiveEntry(entryName);
                entry.setMode(FILE | permissions);
                entry.setSize(attributes.size());
                put(tar, entry, attributes);
                try (InputStream in =
                        Channels.newInputStream(dir.newByteChannel(Path.of(name), Set.of(READ, NOFOLLOW_LINKS)))) {
                    copyExactly(in, tar, attributes.size());
                }
                tar.closeArchiveEntry();
            }
        }
    }

    private static void put(TarArchiveOutputStream tar, TarArchiveEntry entry, PosixFileAttributes attributes)
            throws IOException {
        entry.setModTime(attributes.lastModifiedTime());
        tar.putArchiveEntry(entry);
    }

    /** Copies {@code size} bytes: a file that grew is cut, one that shrank is padded, as the header promised. */
    private static void copyExactly(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long remaining = size;
        while (remaining > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (read < 0) {
                break;
            }
            out.write(buffer, 0, read);
            remaining -= read;
        }
        byte[] zeros = new byte[BUFFER];
        while (remaining > 0) {
            int length = (int) Math.min(zeros.length, remaining);
            out.write(zeros, 0, length);
            remaining -= length;
        }
    }
}
