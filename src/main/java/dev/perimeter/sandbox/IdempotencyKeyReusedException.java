package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** The same {@code Idempotency-Key} came with a different request body. */
public class IdempotencyKeyReusedException extends PerimeterException {

    IdempotencyKeyReusedException(String key) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "idempotency-key-reused",
                "Idempotency key reused",
                "Idempotency-Key '" + abbreviate(key) + "' was used with a different request body");
    }

    static String abbreviate(String key) {
        return key.length() > 64 ? key.substring(0, 64) + "…" : key;
    }
}
