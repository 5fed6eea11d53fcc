package dev.perimeter.connector.anthropic;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.sandbox.ExecCommand;
import dev.perimeter.sandbox.ExecOutcome;
import dev.perimeter.sandbox.Sandbox;
import dev.perimeter.sandbox.SandboxExecution;
import dev.perimeter.sandbox.SandboxManagement;
import dev.perimeter.sandbox.SandboxState;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.tenant.TenantContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs the environment worker in a session's sandbox and ends the session when the worker exits.
 *
 * <p>The provider SPI has no detached start: on the local provider every command runs in its own PID namespace, so a
 * {@code nohup … &} dies with the command that started it. The worker therefore runs as one long command through
 * the ordinary exec path, on a virtual thread of the replica that admitted the session, with the sandbox's
 * remaining lifetime (at most {@code worker-max-run}) as its timeout. The command's end is the worker's exit.
 */
@Component
class WorkerSupervisor implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WorkerSupervisor.class);

    private final SandboxExecution execution;
    private final SandboxManagement sandboxes;
    private final ConnectorSessions sessions;
    private final String replica;
    private final SessionEnding ending;
    private final AnthropicConnectorProperties properties;
    private final Clock clock;
    private final Set<String> supervised = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    WorkerSupervisor(
            SandboxExecution execution,
            SandboxManagement sandboxes,
            ConnectorSessions sessions,
            ReplicaId replica,
            SessionEnding ending,
            AnthropicConnectorProperties properties,
            Clock clock) {
        this.execution = execution;
        this.sandboxes = sandboxes;
        this.sessions = sessions;
        this.replica = replica.value();
        this.ending = ending;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Starts the worker once the sandbox runs (a slow vendor may answer it {@code PROVISIONING}), unless this replica
     * already supervises the session.
     */
    void start(ConnectorSession link, Sandbox sandbox, EnvironmentBinding binding) {
        if (sandbox.getState().isEnded() || closing || !supervised.add(link.id())) {
            return;
        }
        String correlationId = CorrelationId.current();
        Thread thread = Thread.ofVirtual()
                .name("anthropic-worker-" + link.sessionId())
                .unstarted(() -> supervise(link, sandbox, binding, correlationId));
        threads.add(thread);
        thread.start();
    }

    /**
     * Renews this replica's hold on the sessions whose workers it runs, every {@code renew-interval}, on
     * every replica (no leader lock: each renews its own). A session not renewed for a whole {@code claim-timeout}
     * lost its supervisor with its replica, and the {@link SessionWatcher} ends it.
     */
    @Scheduled(
            fixedDelayString = "${perimeter.connector.anthropic.renew-interval:PT30S}",
            initialDelayString = "${perimeter.connector.anthropic.renew-interval:PT30S}")
    void renew() {
        sessions.renew(supervised, replica);
    }

    /** Whether this replica runs the session's worker. */
    boolean supervises(String linkId) {
        return supervised.contains(linkId);
    }

    private void supervise(ConnectorSession link, Sandbox created, EnvironmentBinding binding, String correlationId) {
        MDC.put(CorrelationId.KEY, correlationId);
        String reason;
        try {
            Sandbox sandbox = awaitRunning(link, created);
            Duration left = Duration.between(clock.instant(), sandbox.getExpiresAt());
            Duration timeout = left.compareTo(properties.workerMaxRun()) < 0 ? left : properties.workerMaxRun();
            if (sandbox.getState() != SandboxState.RUNNING) {
                reason = "SANDBOX_" + sandbox.getState();
            } else if (timeout.isNegative() || timeout.isZero()) {
                reason = "SANDBOX_EXPIRED";
            } else {
                ExecOutcome outcome = execution.exec(
                        sandbox,
                        new ExecCommand(binding.workerCommand(), null, Map.of(), timeout, null),
                        ExecOutput.DISCARD);
                reason = outcome.result().timedOut()
                        ? "WORKER_TIMED_OUT"
                        : "WORKER_EXITED: " + outcome.result().exitCode();
            }
        } catch (RuntimeException e) {
            log.warn("The worker of session {} could not run: {}", link.sessionId(), e.getMessage());
            reason = "WORKER_FAILED: " + e.getClass().getSimpleName();
        } finally {
            supervised.remove(link.id());
            threads.remove(Thread.currentThread());
        }
        try {
            if (closing) {
                // This replica is shutting down and its commands with it: a surviving replica's watcher ends the
                // session once this one's hold lapses.
                log.info("Leaving session {} to the other replicas: {}", link.sessionId(), reason);
            } else {
                ending.end(link, reason, true);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Could not end session {}: {}",
                    link.sessionId(),
                    e.getClass().getSimpleName());
        } finally {
            MDC.remove(CorrelationId.KEY);
        }
    }

    /** The sandbox once it is no longer provisioning, read again every second for up to {@code claim-timeout}. */
    private Sandbox awaitRunning(ConnectorSession link, Sandbox sandbox) {
        TenantContext tenant = new TenantContext(link.tenantId(), SessionEnding.ACTOR);
        Instant giveUp = clock.instant().plus(properties.claimTimeout());
        Sandbox current = sandbox;
        while (current.getState() == SandboxState.PROVISIONING
                && clock.instant().isBefore(giveUp)
                && !closing) {
            try {
                Thread.sleep(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return current;
            }
            current = sandboxes.get(tenant, current.getId());
        }
        return current;
    }

    @Override
    public void destroy() {
        closing = true;
        threads.forEach(Thread::interrupt);
    }
}
