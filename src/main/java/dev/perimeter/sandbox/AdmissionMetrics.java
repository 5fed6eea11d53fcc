package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import io.micrometer.core.instrument.MeterRegistry;

/** The {@code perimeter.sandbox.admissions} counter, tagged with the outcome: admitted or the problem's slug. */
final class AdmissionMetrics {

    static final String ADMISSIONS = "perimeter.sandbox.admissions";

    private AdmissionMetrics() {}

    static void rejected(MeterRegistry meters, RuntimeException reason) {
        String outcome = reason instanceof PerimeterException problem ? problem.slug() : "error";
        if (reason instanceof QuotaExceededException quota) {
            outcome += "-" + quota.getScope().name().toLowerCase(java.util.Locale.ROOT);
        }
        meters.counter(ADMISSIONS, "outcome", outcome).increment();
    }
}
