package dev.perimeter.shared;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * A keyset position in a list ordered by creation time, newest first, then id: opaque to callers (base64url of
 * {@code <epoch micros>:<id>}).
 *
 * @param createdAt creation time of the last item returned
 * @param id id of the last item returned
 */
public record Cursor(Instant createdAt, String id) {

    /** A position before the first item: every item was created before it. */
    public static final Cursor START = new Cursor(Instant.parse("9999-12-31T23:59:59Z"), "");

    /** The cursor in its opaque form. */
    public String encode() {
        long micros =
                Math.addExact(Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L), createdAt.getNano() / 1_000);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a cursor a previous page returned; anything else is a validation failure. */
    private static @Nullable Cursor decode(@Nullable String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            if (cursor.length() > 200) {
                throw new IllegalArgumentException("too long");
            }
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            long micros = Long.parseLong(text.substring(0, colon));
            String id = text.substring(colon + 1);
            if (id.isEmpty()) {
                throw new IllegalArgumentException("no id");
            }
            return new Cursor(Instant.EPOCH.plusNanos(Math.multiplyExact(micros, 1_000L)), id);
        } catch (RuntimeException e) {
            throw new ValidationFailedException("cursor", "is not a cursor returned by this list");
        }
    }

    /** The position a page request starts after: the decoded cursor, or {@link #START} for the first page. */
    public static Cursor decodeOrStart(@Nullable String cursor) {
        Cursor decoded = decode(cursor);
        return decoded != null ? decoded : START;
    }

    /** Validates {@code limit} (1–500, default 50). */
    public static int limit(@Nullable Integer limit) {
        if (limit == null) {
            return 50;
        }
        if (limit < 1 || limit > 500) {
            throw new ValidationFailedException("limit", "must be between 1 and 500");
        }
        return limit;
    }
}
