package dev.perimeter.sandbox;

import dev.perimeter.jobs.LeaderJobs;
import dev.perimeter.tenant.Budget;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every {@code perimeter.sandbox.recount-interval}, on one replica: recounts each tenant's admission counters from its
 * sandbox rows and repairs any drift (the Kubernetes quota controller's recount). A repair is logged and counted in
 * {@code perimeter.sandbox.counter.repairs}.
 */
@Component
class CounterRecountJob {

    private static final Logger log = LoggerFactory.getLogger(CounterRecountJob.class);
    static final String JOB = "counter-recount";

    private final SandboxCounters counters;
    private final LeaderJobs jobs;
    private final SandboxProperties properties;
    private final MeterRegistry meters;
    private final Clock clock;

    CounterRecountJob(
            SandboxCounters counters,
            LeaderJobs jobs,
            SandboxProperties properties,
            MeterRegistry meters,
            Clock clock) {
        this.clock = clock;
        this.counters = counters;
        this.jobs = jobs;
        this.properties = properties;
        this.meters = meters;
    }

    @Scheduled(
            fixedDelayString = "${perimeter.sandbox.recount-interval:PT5M}",
            initialDelayString = "${perimeter.sandbox.recount-interval:PT5M}")
    void scheduled() {
        run();
    }

    /** One run, unless another replica has the lock; answers whether it ran here. */
    boolean run() {
        return jobs.runExclusively(JOB, properties.recountInterval(), Duration.ofMinutes(10), () -> {
            for (String tenantId : counters.tenants()) {
                if (counters.recount(tenantId, Budget.Period.MONTHLY.startOf(clock.instant()))) {
                    log.warn("Admission counters of tenant {} had drifted from its sandbox rows; repaired", tenantId);
                    meters.counter("perimeter.sandbox.counter.repairs").increment();
                }
            }
        });
    }
}
