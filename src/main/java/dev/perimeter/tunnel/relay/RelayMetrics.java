package dev.perimeter.tunnel.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The relay's meters: {@code perimeter.tunnel.connections} (gauge, live agent connections here), {@code
 * perimeter.tunnel.streams} (counter by outcome), {@code perimeter.tunnel.bytes} (counter by direction), {@code
 * perimeter.tunnel.relay.latency} (time to the response head) and {@code perimeter.tunnel.rejects} (counter by
 * reason).
 */
@Component
class RelayMetrics {

    private final MeterRegistry meters;
    private final Timer latency;
    private final java.util.Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();

    RelayMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.latency = Timer.builder("perimeter.tunnel.relay.latency")
                .description("Time from a relayed call's arrival to the private server's response head")
                .publishPercentileHistogram()
                .register(meters);
    }

    /** Registers the gauge of live connections; held strongly, since nothing else keeps {@code live}. */
    void connections(java.util.function.Supplier<Number> live) {
        io.micrometer.core.instrument.Gauge.builder("perimeter.tunnel.connections", live, supplier -> supplier.get()
                        .doubleValue())
                .description("Agent connections this replica holds")
                .strongReference(true)
                .register(meters);
    }

    void stream(String outcome) {
        counters.computeIfAbsent("streams:" + outcome, key -> Counter.builder("perimeter.tunnel.streams")
                        .tag("outcome", outcome)
                        .register(meters))
                .increment();
    }

    /** Counted per frame, so the counter is looked up in a map of its own, not built and registered each time. */
    void bytes(String direction, long count) {
        counters.computeIfAbsent("bytes:" + direction, key -> Counter.builder("perimeter.tunnel.bytes")
                        .tag("direction", direction)
                        .baseUnit("bytes")
                        .register(meters))
                .increment(count);
    }

    /** An SSE comment written into a quiet event stream. */
    void keepAlive() {
        counters.computeIfAbsent("keep-alives", key -> Counter.builder("perimeter.tunnel.keepalives")
                        .description("SSE comments written into quiet event streams")
                        .register(meters))
                .increment();
    }

    void latency(Duration duration) {
        latency.record(duration);
    }

    void rejected(String reason) {
        Counter.builder("perimeter.tunnel.rejects")
                .tag("reason", reason)
                .register(meters)
                .increment();
    }
}
