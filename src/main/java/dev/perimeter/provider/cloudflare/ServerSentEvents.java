package dev.perimeter.provider.cloudflare;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code text/event-stream} as the HTML standard defines it: lines end in LF, CR or CRLF; {@code event:} and
 * {@code data:} fields (several {@code data:} lines join with LF); comments start with a colon; a blank line dispatches.
 * Events may arrive split across any number of network reads. A line longer than the limit throws {@link
 * IllegalStateException}: the stream is garbage, not broken.
 */
final class ServerSentEvents {

    /** One dispatched event; {@code name} is {@code message} when the stream named none. */
    record Event(String name, String data) {}

    private final InputStream in;
    private final int maxLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean afterCr;

    ServerSentEvents(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next event, or {@code null} at the end of the stream (a trailing event with no blank line is dropped). */
    @Nullable
    Event next() throws IOException {
        String name = null;
        StringBuilder data = null;
        while (true) {
            String text = readLine();
            if (text == null) {
                return null;
            }
            if (text.isEmpty()) {
                if (data != null) {
                    return new Event(name == null ? "message" : name, data.toString());
                }
                name = null;
                continue;
            }
            if (text.startsWith(":")) {
                continue;
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                name = value;
            } else if (field.equals("data")) {
                data = data == null
                        ? new StringBuilder(value)
                        : data.append('\n').append(value);
            }
        }
    }

    private @Nullable String readLine() throws IOException {
        line.reset();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                afterCr = b == '\r';
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= maxLine) {
                throw new IllegalStateException("an event-stream line is longer than " + maxLine + " bytes");
            }
            line.write(b);
        }
    }
}
