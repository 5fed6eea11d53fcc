package dev.perimeter.provider.local;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Snapshot archives crafted to write outside the workspace they are restored into. */
final class HostileArchives {

    /** The name of every file an attack tries to plant. */
    static final String EVIL = "perimeter-evil-entry";

    private HostileArchives() {}

    static void write(String attack, Path archive, Path dataDir, Path outsideFile) throws IOException {
        Files.createDirectories(archive.getParent());
        try (OutputStream out = Files.newOutputStream(archive);
                GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(out);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            file(tar, "harmless.txt");
            switch (attack) {
                case "parent" -> file(tar, "../" + EVIL);
                case "absolute" -> file(tar, outsideFile.toString());
                case "below-a-link" -> {
                    link(tar, "link", dataDir.toAbsolutePath().toString());
                    file(tar, "link/" + EVIL);
                }
                case "hard-link-outside" -> hardLink(tar, EVIL, "../../../../../../../etc/passwd");
                case "hard-link-through-a-link" -> {
                    link(tar, "etc", "/etc");
                    hardLink(tar, EVIL, "etc/passwd");
                }
                default -> throw new IllegalArgumentException(attack);
            }
            tar.finish();
        }
    }

    private static void file(TarArchiveOutputStream tar, String name) throws IOException {
        byte[] content = "planted\n".getBytes(UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void hardLink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }
}
