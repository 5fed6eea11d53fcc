package dev.perimeter.connector.anthropic;

import com.anthropic.models.beta.environments.work.BetaSelfHostedWork;
import dev.perimeter.jobs.LeaderJobs;
import dev.perimeter.sandbox.NoSuchSandboxException;
import dev.perimeter.sandbox.Sandbox;
import dev.perimeter.sandbox.SandboxManagement;
import dev.perimeter.sandbox.SandboxState;
import dev.perimeter.tenant.TenantContext;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Ends running sessions whose work item Anthropic stopped (the sandbox is destroyed), whose sandbox ended without the
 * worker noticing, for example when it expired (the work item is stopped), or whose worker's replica went away; and
 * forgets waiting sessions whose work item Anthropic stopped. One replica at a time runs it. The
 * worker's own heartbeats are left to the worker: Perimeter never heartbeats a lease it does not hold.
 */
@Component
class SessionWatcher {

    private static final Logger log = LoggerFactory.getLogger(SessionWatcher.class);
    static final String JOB = "anthropic-sessions";
    private static final int BATCH = 200;

    private final ConnectorSessions sessions;
    private final EnvironmentBindings bindings;
    private final EnvironmentKeys keys;
    private final WorkQueue queue;
    private final SandboxManagement sandboxes;
    private final SessionEnding ending;
    private final ConnectorMetrics metrics;
    private final LeaderJobs jobs;
    private final AnthropicConnectorProperties properties;

    SessionWatcher(
            ConnectorSessions sessions,
            EnvironmentBindings bindings,
            EnvironmentKeys keys,
            WorkQueue queue,
            SandboxManagement sandboxes,
            SessionEnding ending,
            ConnectorMetrics metrics,
            LeaderJobs jobs,
            AnthropicConnectorProperties properties) {
        this.sessions = sessions;
        this.bindings = bindings;
        this.keys = keys;
        this.queue = queue;
        this.sandboxes = sandboxes;
        this.ending = ending;
        this.metrics = metrics;
        this.jobs = jobs;
        this.properties = properties;
    }

    @Scheduled(
            fixedDelayString = "${perimeter.connector.anthropic.watch-interval:PT10S}",
            initialDelayString = "${perimeter.connector.anthropic.watch-interval:PT10S}")
    void scheduled() {
        watch();
    }

    /** One run, unless another replica has the lock; answers whether it ran here. */
    boolean watch() {
        return jobs.runExclusively(JOB, properties.watchInterval(), Duration.ofMinutes(2), () -> {
            for (ConnectorSession link : sessions.running(BATCH)) {
                try {
                    check(link);
                } catch (RuntimeException e) {
                    log.warn(
                            "Could not check session {}: {}",
                            link.sessionId(),
                            e.getClass().getSimpleName());
                }
            }
            for (ConnectorSession link : sessions.waiting(BATCH)) {
                try {
                    if (stopped(link)) {
                        sessions.end(link.id(), "ENDED", "WORK_STOPPED");
                    }
                } catch (RuntimeException e) {
                    log.warn(
                            "Could not check session {}: {}",
                            link.sessionId(),
                            e.getClass().getSimpleName());
                }
            }
            metrics.running(sessions.countRunning());
        });
    }

    private void check(ConnectorSession link) {
        TenantContext tenant = new TenantContext(link.tenantId(), SessionEnding.ACTOR);
        String sandboxId = Objects.requireNonNull(link.sandboxId());
        Sandbox sandbox;
        try {
            sandbox = sandboxes.get(tenant, sandboxId);
        } catch (NoSuchSandboxException e) {
            ending.end(link, "SANDBOX_GONE", true);
            return;
        }
        if (sandbox.getState().isEnded() || sandbox.getState() == SandboxState.DESTROYING) {
            ending.end(link, "SANDBOX_" + sandbox.getState() + ": " + sandbox.getEndReason(), true);
            return;
        }
        if (sessions.unsupervised(link.id(), properties.claimTimeout())) {
            // The replica that ran the worker is gone, and the worker with it (its command was that replica's).
            ending.end(link, "SUPERVISOR_LOST", true);
            return;
        }
        if (stopped(link)) {
            ending.end(link, "WORK_STOPPED", false);
        }
    }

    /** Whether Anthropic stopped the link's work item (or is stopping it). */
    private boolean stopped(ConnectorSession link) {
        EnvironmentBinding binding = bindings.get(link.bindingId());
        BetaSelfHostedWork work = queue.retrieve(binding, keys.of(binding), link.workId());
        String state = work.state().asString();
        return state.equals("stopping") || state.equals("stopped");
    }
}
