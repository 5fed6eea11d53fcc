package dev.perimeter.provider;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** A transient failure of a provider: the same call may succeed later. Answers 503 with {@code Retry-After}. */
public class ProviderUnavailableException extends PerimeterException {

    public ProviderUnavailableException(String provider, String detail, Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "provider-unavailable", "Provider unavailable", detail, cause);
        extend("provider", provider);
        retryAfter(5);
    }
}
