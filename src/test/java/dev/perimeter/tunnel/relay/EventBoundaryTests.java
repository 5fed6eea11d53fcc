package dev.perimeter.tunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventBoundaryTests {

    /** Chunks are separated by '|'; \n and \r are written as such. */
    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "'';true",
                "id: 1\\ndata: a\\n\\n;true",
                "id: 1\\ndata: a\\n;false",
                "data: a;false",
                "data: a\\r\\n\\r\\n;true",
                "data: a\\r\\n;false",
                "data: a\\r\\r;true",
                "data: a\\n\\r\\n;true",
                "data: a\\r;false",
                "\\n;true",
                "x\\n;false",
                "data: a\\n|\\n;true",
                "data: a\\n\\n|data: b;false",
                "data: a\\r\\n\\r|\\n;true",
                "data: a|\\n|\\n;true",
                "data: a\\n\\n|x|\\n;false",
                "data: verylongpayload\\n\\n|: c\\n\\n;true"
            })
    void knowsWhenTheStreamStandsBetweenEvents(String chunks, boolean between) {
        EventBoundary boundary = new EventBoundary();
        if (!chunks.isEmpty()) {
            for (String chunk : chunks.split("\\|")) {
                boundary.saw(chunk.replace("\\n", "\n").replace("\\r", "\r").getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(boundary.between()).isEqualTo(between);
    }
}
