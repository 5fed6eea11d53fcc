package dev.perimeter.provider;

import dev.perimeter.shared.PerimeterException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** A provider refused or failed a call in a way a retry will not fix. Answers 502. */
public class ProviderErrorException extends PerimeterException {

    public ProviderErrorException(String provider, String detail, @Nullable Throwable cause) {
        super(HttpStatus.BAD_GATEWAY, "provider-error", "Provider error", detail, cause);
        extend("provider", provider);
    }
}
