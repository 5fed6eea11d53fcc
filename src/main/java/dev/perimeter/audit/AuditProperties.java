package dev.perimeter.audit;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long the audit trail keeps events.
 *
 * @param retention events older than this are deleted ({@code PERIMETER_AUDIT_RETENTION}, default 400 days: a
 *     year plus a quarter, for annual reviews)
 * @param retentionInterval how often the retention job runs
 */
@Validated
@ConfigurationProperties("perimeter.audit")
record AuditProperties(
        @NotNull @DefaultValue("P400D") Duration retention, @NotNull @DefaultValue("PT1H") Duration retentionInterval) {

    AuditProperties {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("perimeter.audit.retention must be positive");
        }
    }
}
