package dev.perimeter.provider.vercel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** The body of {@code POST S/fs/write}: a gzip-compressed tar holding one regular file. */
final class GzipTar {

    private static final int FILE_MODE = 0644;

    private GzipTar() {}

    /** A gzipped tar with one file named {@code name} (relative to the extraction directory). */
    static byte[] of(String name, byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(content.length + 1024);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(content.length);
            entry.setMode(FILE_MODE);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
