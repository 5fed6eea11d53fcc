package dev.perimeter.connector.anthropic;

import dev.perimeter.audit.AuditEvent;
import dev.perimeter.audit.AuditOutcome;
import dev.perimeter.audit.AuditTrail;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The connector's entries in the audit trail, as {@code system:anthropic-connector}: sessions started, deferred
 * (quota, budget, provider unavailable), refused and ended. Details are ids and reasons, never a key.
 */
@Component
class ConnectorAudit {

    static final String COMPONENT = "anthropic-connector";

    private final AuditTrail trail;

    ConnectorAudit(AuditTrail trail) {
        this.trail = trail;
    }

    void succeeded(String tenantId, String action, @Nullable String target, Map<String, Object> details) {
        trail.record(AuditEvent.system(COMPONENT, tenantId, action, target, details));
    }

    void denied(String tenantId, String action, @Nullable String target, Map<String, Object> details) {
        record(AuditOutcome.DENIED, tenantId, action, target, details);
    }

    void failed(String tenantId, String action, @Nullable String target, Map<String, Object> details) {
        record(AuditOutcome.FAILED, tenantId, action, target, details);
    }

    private void record(
            AuditOutcome outcome,
            String tenantId,
            String action,
            @Nullable String target,
            Map<String, Object> details) {
        trail.record(new AuditEvent(AuditEvent.SYSTEM + ":" + COMPONENT, tenantId, action, target, outcome, details));
    }
}
