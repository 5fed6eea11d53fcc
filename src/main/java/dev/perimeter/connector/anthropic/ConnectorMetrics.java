package dev.perimeter.connector.anthropic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The connector's meters, all under {@code perimeter.connector.anthropic}: work items seen and acknowledged, sessions
 * admitted and refused (by reason), sessions running (as last counted in Postgres, across replicas) and how long
 * sessions ran.
 */
@Component
class ConnectorMetrics {

    private final MeterRegistry meters;
    private final Counter seen;
    private final Counter acked;
    private final Counter admitted;
    private final Timer duration;
    private final AtomicLong running = new AtomicLong();

    ConnectorMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.seen = Counter.builder("perimeter.connector.anthropic.work.seen")
                .description("Work items the polls returned, redeliveries included")
                .register(meters);
        this.acked = Counter.builder("perimeter.connector.anthropic.work.acked")
                .description("Work items acknowledged")
                .register(meters);
        this.admitted = Counter.builder("perimeter.connector.anthropic.sessions.admitted")
                .description("Sessions that got a sandbox and a worker")
                .register(meters);
        this.duration = Timer.builder("perimeter.connector.anthropic.sessions.duration")
                .description("How long sessions ran, from the worker's start to the session's end")
                .register(meters);
        Gauge.builder("perimeter.connector.anthropic.sessions.running", running, AtomicLong::get)
                .description("Sessions with a running sandbox, across every replica")
                .register(meters);
    }

    void seen() {
        seen.increment();
    }

    void acked() {
        acked.increment();
    }

    void admitted() {
        admitted.increment();
    }

    /** A session refused a sandbox, for now or for good; {@code reason} is a problem slug. */
    void refused(String reason) {
        Counter.builder("perimeter.connector.anthropic.sessions.refused")
                .description("Sessions refused a sandbox, by reason")
                .tag("reason", reason)
                .register(meters)
                .increment();
    }

    void ended(Duration ran) {
        duration.record(ran);
    }

    void running(long count) {
        running.set(count);
    }
}
