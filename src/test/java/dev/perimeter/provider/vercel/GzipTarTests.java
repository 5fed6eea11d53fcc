package dev.perimeter.provider.vercel;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/** The fs/write body is a gzip-compressed tar (the fake cannot tell: WireMock un-gzips request bodies itself). */
class GzipTarTests {

    @Test
    void bodyIsAGzippedTarHoldingTheFileUnderItsRelativeName() throws Exception {
        byte[] body = GzipTar.of("dir/sub/notes.txt", "hello".getBytes(UTF_8));

        assertThat(body[0] & 0xff).isEqualTo(0x1f);
        assertThat(body[1] & 0xff).isEqualTo(0x8b);
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(body)))) {
            TarArchiveEntry entry = tar.getNextEntry();
            assertThat(entry.getName()).isEqualTo("dir/sub/notes.txt");
            assertThat(entry.isFile()).isTrue();
            assertThat(entry.getSize()).isEqualTo(5);
            assertThat(new String(tar.readAllBytes(), UTF_8)).isEqualTo("hello");
            assertThat(tar.getNextEntry()).isNull();
        }
    }
}
