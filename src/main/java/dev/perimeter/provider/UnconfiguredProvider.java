package dev.perimeter.provider;

import java.util.List;

/**
 * A provider Perimeter knows but this deployment has not configured: it is not registered, and a request for it is
 * refused with {@code provider-not-allowed} naming the settings to add. Each provider's configuration declares one as a
 * bean when its settings are absent.
 *
 * @param type the provider's name
 * @param missingSettings the environment variables (or properties) that would configure it
 */
public record UnconfiguredProvider(String type, List<String> missingSettings) {

    public UnconfiguredProvider {
        missingSettings = List.copyOf(missingSettings);
    }
}
