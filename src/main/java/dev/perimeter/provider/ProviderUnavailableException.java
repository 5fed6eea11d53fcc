package dev.perimeter.provider;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** A transient failure of a provider: the same call may succeed later. Answers 503 with {@code Retry-After}. */
public class ProviderUnavailableException extends PerimeterException {

    public ProviderUnavailableException(String provider, String detail, Throwable cause) {
        this(provider, detail, 5, cause);
    }

    /** A transient failure after which the caller should wait {@code retryAfterSeconds} (at least one). */
    public ProviderUnavailableException(String provider, String detail, long retryAfterSeconds, Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "provider-unavailable", "Provider unavailable", detail, cause);
        extend("provider", provider);
        retryAfter(Math.max(1, retryAfterSeconds));
    }
}
