package dev.perimeter.sandbox;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.shared.PerimeterException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a provider call so that whatever escapes it is one of our typed problems, never a bare 500. */
final class ProviderCalls {

    private static final Logger log = LoggerFactory.getLogger(ProviderCalls.class);

    private ProviderCalls() {}

    static <T> T call(String provider, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (PerimeterException e) {
            throw e;
        } catch (RuntimeException e) {
            log.error("Provider '{}' failed to {}", provider, what, e);
            throw new ProviderErrorException(provider, "Provider '" + provider + "' failed to " + what, e);
        }
    }

    static void run(String provider, String what, Runnable call) {
        call(provider, what, () -> {
            call.run();
            return null;
        });
    }
}
