package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** The first request with this {@code Idempotency-Key} is still running. */
public class IdempotencyInFlightException extends PerimeterException {

    IdempotencyInFlightException(String key) {
        super(
                HttpStatus.CONFLICT,
                "idempotency-in-flight",
                "Idempotent request in flight",
                "A request with Idempotency-Key '" + IdempotencyKeyReusedException.abbreviate(key)
                        + "' is still being processed; retry shortly");
        retryAfter(1);
    }
}
