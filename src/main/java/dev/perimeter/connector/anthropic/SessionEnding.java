package dev.perimeter.connector.anthropic;

import dev.perimeter.sandbox.SandboxManagement;
import dev.perimeter.shared.PerimeterException;
import dev.perimeter.tenant.TenantContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Ends a session once, whoever notices first (the worker's exit, a stopped work item, an ended sandbox): the link is
 * marked ended, then the sandbox is destroyed and the work item stopped. Both effects may be repeated safely.
 */
@Component
class SessionEnding {

    private static final Logger log = LoggerFactory.getLogger(SessionEnding.class);

    /** The key id recorded for what the connector does in a tenant's name. */
    static final String ACTOR = "system:" + ConnectorAudit.COMPONENT;

    private final ConnectorSessions sessions;
    private final EnvironmentBindings bindings;
    private final EnvironmentKeys keys;
    private final WorkQueue queue;
    private final SandboxManagement sandboxes;
    private final ConnectorMetrics metrics;
    private final ConnectorAudit audit;
    private final Clock clock;

    SessionEnding(
            ConnectorSessions sessions,
            EnvironmentBindings bindings,
            EnvironmentKeys keys,
            WorkQueue queue,
            SandboxManagement sandboxes,
            ConnectorMetrics metrics,
            ConnectorAudit audit,
            Clock clock) {
        this.sessions = sessions;
        this.bindings = bindings;
        this.keys = keys;
        this.queue = queue;
        this.sandboxes = sandboxes;
        this.metrics = metrics;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Ends the session for {@code reason}; answers whether this call ended it.
     *
     * @param stopWork whether Anthropic's work item must be stopped too (not when Anthropic stopped it)
     */
    boolean end(ConnectorSession link, String reason, boolean stopWork) {
        if (!sessions.end(link.id(), "ENDED", reason)) {
            return false;
        }
        log.info("Session {} (work {}) ended: {}", link.sessionId(), link.workId(), reason);
        if (link.sandboxId() != null) {
            try {
                sandboxes.destroy(new TenantContext(link.tenantId(), ACTOR), link.sandboxId());
            } catch (PerimeterException e) {
                log.warn(
                        "Could not destroy sandbox {} of session {}; it expires on its own",
                        link.sandboxId(),
                        link.id(),
                        e);
            }
        }
        if (stopWork) {
            stopWork(link);
        }
        if (link.startedAt() != null) {
            metrics.ended(Duration.between(link.startedAt(), clock.instant()));
        }
        metrics.running(sessions.countRunning());
        audit.succeeded(
                link.tenantId(),
                "anthropic.session.end",
                link.sessionId(),
                Map.of("workId", link.workId(), "sandboxId", String.valueOf(link.sandboxId()), "reason", reason));
        return true;
    }

    /** Stops the link's work item; a failure is logged, Anthropic's lease ends it anyway. */
    void stopWork(ConnectorSession link) {
        try {
            EnvironmentBinding binding = bindings.get(link.bindingId());
            queue.stop(binding, keys.of(binding), link.workId(), false);
        } catch (RuntimeException e) {
            log.warn(
                    "Could not stop work item {}: {}",
                    link.workId(),
                    e.getClass().getSimpleName());
        }
    }
}
