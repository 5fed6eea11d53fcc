package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import io.micrometer.core.instrument.MeterRegistry;

/** The {@code perimeter.sandbox.admissions} counter, tagged with the outcome: admitted or the problem's slug. */
final class AdmissionMetrics {

    static final String ADMISSIONS = "perimeter.sandbox.admissions";

    private AdmissionMetrics() {}

    static void rejected(MeterRegistry meters, RuntimeException reason) {
        String outcome = reason instanceof PerimeterException problem
                        && problem.getBody().getType() != null
                ? problem.getBody()
                        .getType()
                        .getPath()
                        .substring(problem.getBody().getType().getPath().lastIndexOf('/') + 1)
                : "error";
        String scope = reason instanceof QuotaExceededException quota
                ? quota.getScope().name().toLowerCase()
                : "";
        meters.counter(ADMISSIONS, "outcome", scope.isEmpty() ? outcome : outcome + "-" + scope)
                .increment();
    }
}
