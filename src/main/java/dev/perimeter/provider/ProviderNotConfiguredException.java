package dev.perimeter.provider;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** A request named a provider that this deployment has not configured. */
public class ProviderNotConfiguredException extends PerimeterException {

    ProviderNotConfiguredException(UnconfiguredProvider provider) {
        super(
                HttpStatus.FORBIDDEN,
                "provider-not-allowed",
                "Provider not allowed",
                "Provider '" + provider.type() + "' is not configured on this deployment; the platform team sets "
                        + String.join(", ", provider.missingSettings()) + " to enable it");
        extend("provider", provider.type());
        extend("missingSettings", provider.missingSettings());
    }
}
