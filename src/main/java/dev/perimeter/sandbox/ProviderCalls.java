package dev.perimeter.sandbox;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.shared.PerimeterException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs a provider call so that whatever escapes it is one of our typed problems, never a bare 500, and times it in
 * {@code perimeter.provider.calls} by provider, operation and outcome ({@code ok}, {@code unavailable}, {@code error}).
 */
@Component
class ProviderCalls {

    static final String METER = "perimeter.provider.calls";

    private static final Logger log = LoggerFactory.getLogger(ProviderCalls.class);
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60)
    };

    /** What was asked of the provider; the names are the metric's {@code operation} tag. */
    enum Operation {
        CREATE("create", "create a sandbox"),
        DESTROY("destroy", "destroy a sandbox"),
        EXEC("exec", "run a command"),
        WRITE_FILE("write-file", "write a file"),
        READ_FILE("read-file", "read a file"),
        SNAPSHOT("snapshot", "take a snapshot"),
        DELETE_SNAPSHOT("delete-snapshot", "delete a snapshot"),
        LIST("list", "list its sandboxes"),
        STATUS("status", "report a sandbox's status");

        private final String tag;
        private final String description;

        Operation(String tag, String description) {
            this.tag = tag;
            this.description = description;
        }
    }

    private final MeterRegistry meters;

    ProviderCalls(MeterRegistry meters) {
        this.meters = meters;
    }

    <T> T call(String provider, Operation operation, Supplier<T> call) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "ok";
            return result;
        } catch (ProviderUnavailableException e) {
            outcome = "unavailable";
            throw e;
        } catch (PerimeterException e) {
            throw e;
        } catch (RuntimeException e) {
            log.error("Provider '{}' failed to {}", provider, operation.description, e);
            throw new ProviderErrorException(
                    provider, "Provider '" + provider + "' failed to " + operation.description, e);
        } finally {
            sample.stop(Timer.builder(METER)
                    .description("Calls to sandbox providers")
                    .tags("provider", provider, "operation", operation.tag, "outcome", outcome)
                    .serviceLevelObjectives(BUCKETS)
                    .register(meters));
        }
    }

    void run(String provider, Operation operation, Runnable call) {
        call(provider, operation, () -> {
            call.run();
            return null;
        });
    }
}
