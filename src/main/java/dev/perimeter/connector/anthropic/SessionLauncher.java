package dev.perimeter.connector.anthropic;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.sandbox.NewSandbox;
import dev.perimeter.sandbox.Sandbox;
import dev.perimeter.sandbox.SandboxManagement;
import dev.perimeter.sandbox.SandboxState;
import dev.perimeter.shared.PerimeterException;
import dev.perimeter.tenant.TenantContext;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Gives an acknowledged work item its sandbox, once. The link row is written before the sandbox; the sandbox serves
 * the agent {@code <session id>} and is labelled with the work id, so a retry after a crash finds what an earlier
 * attempt made instead of creating another. Admission is the sandbox module's own: the binding's tenant's quotas and
 * budget apply. A refusal for quota, budget or an unavailable provider leaves the item for its next delivery; any
 * other refusal fails the session and stops the work item.
 */
@Component
class SessionLauncher {

    private static final Logger log = LoggerFactory.getLogger(SessionLauncher.class);

    static final String WORK_LABEL = "perimeter.dev/anthropic-work";
    static final String SESSION_LABEL = "perimeter.dev/anthropic-session";
    static final String ENVIRONMENT_LABEL = "perimeter.dev/anthropic-environment";

    /** Refusals that pass: the item is left for a later delivery. */
    static final Set<String> TRANSIENT = Set.of("quota-exceeded", "budget-exhausted", "provider-unavailable");

    private final ConnectorSessions sessions;
    private final SandboxManagement sandboxes;
    private final WorkerSupervisor supervisor;
    private final SessionEnding ending;
    private final ConnectorMetrics metrics;
    private final ConnectorAudit audit;
    private final AnthropicConnectorProperties properties;
    private final String replica;

    SessionLauncher(
            ConnectorSessions sessions,
            SandboxManagement sandboxes,
            WorkerSupervisor supervisor,
            SessionEnding ending,
            ConnectorMetrics metrics,
            ConnectorAudit audit,
            AnthropicConnectorProperties properties,
            ReplicaId replica) {
        this.sessions = sessions;
        this.sandboxes = sandboxes;
        this.supervisor = supervisor;
        this.ending = ending;
        this.metrics = metrics;
        this.audit = audit;
        this.properties = properties;
        this.replica = replica.value();
    }

    /** Runs the acknowledged item's session in a sandbox unless it has one; safe to call for every delivery. */
    void launch(EnvironmentBinding binding, String key, String workId, String sessionId) {
        ConnectorSession link = sessions.record(binding, workId, sessionId);
        if (!sessions.claim(link.id(), replica, properties.claimTimeout())) {
            log.debug("Work item {} is already handled ({})", workId, link.state());
            return;
        }
        TenantContext tenant = new TenantContext(binding.tenantId(), SessionEnding.ACTOR);
        Sandbox sandbox;
        try {
            sandbox = existing(tenant, link).orElseGet(() -> sandboxes.create(tenant, request(binding, key, link)));
        } catch (PerimeterException e) {
            refused(binding, link, e);
            return;
        }
        sessions.running(link.id(), sandbox.getId());
        metrics.admitted();
        metrics.running(sessions.countRunning());
        audit.succeeded(
                binding.tenantId(),
                "anthropic.session.start",
                sessionId,
                Map.of("workId", workId, "sandboxId", sandbox.getId(), "environmentId", binding.environmentId()));
        ConnectorSession running = sessions.byWork(workId).orElseThrow();
        supervisor.start(running, sandbox, binding);
    }

    /** The sandbox an earlier attempt created for this work item, if it made one and it is still live. */
    private Optional<Sandbox> existing(TenantContext tenant, ConnectorSession link) {
        List<Sandbox> made =
                sandboxes.list(tenant, null, link.sessionId(), null, 50).items();
        return made.stream()
                .filter(sandbox -> link.workId().equals(sandbox.getLabels().get(WORK_LABEL)))
                .filter(sandbox -> SandboxState.ACTIVE.contains(sandbox.getState()))
                .findFirst();
    }

    private NewSandbox request(EnvironmentBinding binding, String key, ConnectorSession link) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ANTHROPIC_BASE_URL", properties.baseUrl());
        env.put("ANTHROPIC_ENVIRONMENT_ID", binding.environmentId());
        env.put("ANTHROPIC_ENVIRONMENT_KEY", key);
        env.put("ANTHROPIC_SESSION_ID", link.sessionId());
        env.put("ANTHROPIC_WORK_ID", link.workId());
        return new NewSandbox(
                link.sessionId(),
                binding.provider(),
                binding.region(),
                binding.image(),
                binding.resources(),
                binding.lifetime(),
                env,
                Map.of(
                        WORK_LABEL, link.workId(),
                        SESSION_LABEL, link.sessionId(),
                        ENVIRONMENT_LABEL, binding.environmentId()),
                null,
                new SandboxSpec.Egress(
                        binding.egress(), binding.egress() == EgressMode.ALLOWLIST ? List.of(apiHost()) : List.of()));
    }

    /** The host the worker must reach: the only one an {@code ALLOWLIST} binding allows. */
    private String apiHost() {
        String host = URI.create(properties.baseUrl()).getHost();
        return host == null ? properties.baseUrl() : host;
    }

    private void refused(EnvironmentBinding binding, ConnectorSession link, PerimeterException e) {
        String reason = e.slug();
        metrics.refused(reason);
        Map<String, Object> details = Map.of(
                "workId",
                link.workId(),
                "reason",
                reason,
                "detail",
                String.valueOf(e.getBody().getDetail()));
        if (TRANSIENT.contains(reason)) {
            sessions.waiting(link.id(), reason);
            if (!(link.state().equals("WAITING") && reason.equals(link.reason()))) {
                log.info("Session {} waits: {}", link.sessionId(), reason);
                audit.denied(binding.tenantId(), "anthropic.session.defer", link.sessionId(), details);
            }
            return;
        }
        log.warn(
                "Session {} cannot get a sandbox: {}",
                link.sessionId(),
                e.getBody().getDetail());
        sessions.end(link.id(), "FAILED", reason + ": " + e.getBody().getDetail());
        ending.stopWork(link);
        audit.failed(binding.tenantId(), "anthropic.session.refuse", link.sessionId(), details);
    }
}
