package dev.perimeter.sandbox;

import dev.perimeter.jobs.LeaderJobs;
import java.time.Duration;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Every {@code perimeter.sandbox.meter-interval}, on one replica: meter usage, then apply exhausted budgets. */
@Component
class MeteringJob {

    static final String JOB = "usage-meter";
    private static final int BATCH = 1000;

    private final UsageMeter meter;
    private final BudgetEnforcement budgets;
    private final LeaderJobs jobs;
    private final SandboxProperties properties;

    MeteringJob(UsageMeter meter, BudgetEnforcement budgets, LeaderJobs jobs, SandboxProperties properties) {
        this.meter = meter;
        this.budgets = budgets;
        this.jobs = jobs;
        this.properties = properties;
    }

    @Scheduled(
            fixedDelayString = "${perimeter.sandbox.meter-interval:PT10S}",
            initialDelayString = "${perimeter.sandbox.meter-interval:PT10S}")
    void scheduled() {
        run();
    }

    /** One run, unless another replica has the lock; answers whether it ran here. */
    boolean run() {
        return jobs.runExclusively(JOB, properties.meterInterval(), Duration.ofMinutes(10), () -> {
            while (meter.meter(BATCH) == BATCH) {
                // a backlog: keep going until this tick has caught up
            }
            budgets.enforce();
        });
    }
}
