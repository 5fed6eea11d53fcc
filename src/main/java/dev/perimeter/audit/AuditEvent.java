package dev.perimeter.audit;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One thing that happened, as written to the trail. Details hold non-secret facts only (status, problem type, reason,
 * counts); callers must never put a key, token or credential in them.
 *
 * @param actor the API key id that acted, or {@code system:<component>} for Perimeter's own jobs
 * @param tenantId the tenant concerned, if any
 * @param action {@code <resource>.<verb>}, such as {@code sandbox.create}
 * @param targetId the id of the resource acted on, if any
 * @param outcome how it ended
 * @param details further non-secret facts
 */
public record AuditEvent(
        String actor,
        @Nullable String tenantId,
        String action,
        @Nullable String targetId,
        AuditOutcome outcome,
        Map<String, Object> details) {

    /** The actor name of work Perimeter does on its own, such as the expiry reaper. */
    public static final String SYSTEM = "system";

    public AuditEvent {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        details = Map.copyOf(details);
    }

    /**
     * A successful action taken by one of Perimeter's own components.
     *
     * @param component what acted, such as {@code sandbox-reaper}; the actor becomes {@code system:<component>}
     */
    public static AuditEvent system(
            String component,
            @Nullable String tenantId,
            String action,
            @Nullable String targetId,
            Map<String, Object> details) {
        return new AuditEvent(SYSTEM + ":" + component, tenantId, action, targetId, AuditOutcome.SUCCESS, details);
    }
}
