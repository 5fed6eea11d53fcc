package dev.perimeter.shared;

import java.util.UUID;
import org.slf4j.MDC;

/**
 * The correlation id of the work in hand. The web edge puts the request's id into the logging context; background jobs
 * start their own. Every log line prints it and every record stores it.
 */
public final class CorrelationId {

    /** The key in the logging context (MDC) and the name used in problem bodies. */
    public static final String KEY = "correlationId";

    /** The HTTP header that carries it both ways. */
    public static final String HEADER = "X-Correlation-Id";

    private CorrelationId() {}

    /** The id in force on this thread, or a new one if none is (then it is also put in force). */
    public static String current() {
        String id = MDC.get(KEY);
        if (id == null) {
            id = generate();
            MDC.put(KEY, id);
        }
        return id;
    }

    /** A fresh id. */
    public static String generate() {
        return UUID.randomUUID().toString();
    }

    /** Whether a caller-supplied value is acceptable: 1–128 visible ASCII characters. */
    public static boolean isValid(String value) {
        if (value.isEmpty() || value.length() > 128) {
            return false;
        }
        return value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
