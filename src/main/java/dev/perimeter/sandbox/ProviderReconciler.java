package dev.perimeter.sandbox;

import dev.perimeter.audit.AuditEvent;
import dev.perimeter.audit.AuditTrail;
import dev.perimeter.jobs.LeaderJobs;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.shared.LogContext;
import dev.perimeter.shared.PerimeterException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every {@code perimeter.sandbox.reconcile-interval}, on one replica, compares what each provider holds with the rows
 * (the reconcile loop of a Kubernetes controller): a vendor sandbox carrying our id whose row is missing, {@code
 * DESTROYED} or {@code FAILED} is destroyed (for example one the vendor made after Perimeter had given the create up),
 * and a {@code RUNNING} row whose vendor sandbox has vanished (or is listed as {@link ManagedSandbox#lost() lost})
 * becomes {@code FAILED} ({@code PROVIDER_LOST}) and gives back its quota slot. Rows still being created or destroyed
 * are left alone. Each repair is counted in {@code perimeter.sandbox.reconciled} by provider and action ({@code
 * orphan-destroyed}, {@code lost}).
 */
@Component
class ProviderReconciler {

    private static final Logger log = LoggerFactory.getLogger(ProviderReconciler.class);
    static final String JOB = "provider-reconciler";
    static final String REPAIRS = "perimeter.sandbox.reconciled";

    private final ProviderRegistry providers;
    private final ProviderCalls calls;
    private final MeterRegistry meters;
    private final Sandboxes sandboxes;
    private final SandboxManagement management;
    private final LeaderJobs jobs;
    private final SandboxProperties properties;
    private final Clock clock;
    private final AuditTrail audit;

    ProviderReconciler(
            ProviderRegistry providers,
            ProviderCalls calls,
            MeterRegistry meters,
            Sandboxes sandboxes,
            SandboxManagement management,
            LeaderJobs jobs,
            SandboxProperties properties,
            Clock clock,
            AuditTrail audit) {
        this.providers = providers;
        this.calls = calls;
        this.meters = meters;
        this.sandboxes = sandboxes;
        this.management = management;
        this.jobs = jobs;
        this.properties = properties;
        this.clock = clock;
        this.audit = audit;
    }

    @Scheduled(
            fixedDelayString = "${perimeter.sandbox.reconcile-interval:PT1M}",
            initialDelayString = "${perimeter.sandbox.reconcile-interval:PT1M}")
    void scheduled() {
        run();
    }

    /** One run over every provider, unless another replica has the lock; answers whether it ran here. */
    boolean run() {
        return jobs.runExclusively(JOB, properties.reconcileInterval(), Duration.ofMinutes(10), () -> {
            for (SandboxProvider provider : providers.all()) {
                try {
                    reconcile(provider);
                } catch (PerimeterException e) {
                    log.warn(
                            "Could not reconcile provider {}; the next run retries: {}",
                            provider.type(),
                            e.getMessage());
                }
            }
        });
    }

    private void reconcile(SandboxProvider provider) {
        Instant listedAt = clock.instant();
        List<ManagedSandbox> held = calls.call(provider.type(), ProviderCalls.Operation.LIST, provider::listManaged);
        Map<String, Sandbox> rows =
                sandboxes
                        .findAllById(
                                held.stream().map(ManagedSandbox::sandboxId).toList())
                        .stream()
                        .collect(Collectors.toMap(Sandbox::getId, Function.identity()));
        for (ManagedSandbox managed : held) {
            Sandbox row = rows.get(managed.sandboxId());
            if (row == null || row.getState() == SandboxState.DESTROYED || row.getState() == SandboxState.FAILED) {
                try (LogContext.Scope scope = LogContext.put(LogContext.SANDBOX_ID, managed.sandboxId());
                        LogContext.Scope tenant =
                                LogContext.put(LogContext.TENANT_ID, row == null ? null : row.getTenantId())) {
                    log.warn(
                            "Provider {} holds sandbox {} ({}) that has {}; destroying it",
                            provider.type(),
                            managed.sandboxId(),
                            managed.providerRef(),
                            row == null ? "no row" : "ended " + row.getState());
                    calls.run(
                            provider.type(),
                            ProviderCalls.Operation.DESTROY,
                            () -> provider.destroy(managed.providerRef()));
                    repaired(provider, "orphan-destroyed");
                    audit.record(AuditEvent.system(
                            JOB,
                            row == null ? null : row.getTenantId(),
                            "sandbox.orphan.destroy",
                            managed.sandboxId(),
                            Map.of(
                                    "provider",
                                    provider.type(),
                                    "row",
                                    row == null ? "none" : row.getState().name())));
                }
            }
        }
        Set<String> heldIds = held.stream()
                .filter(managed -> !managed.lost())
                .map(ManagedSandbox::sandboxId)
                .collect(Collectors.toSet());
        for (Sandbox row :
                sandboxes.findByProviderAndStateAndReadyAtBefore(provider.type(), SandboxState.RUNNING, listedAt)) {
            if (!heldIds.contains(row.getId())
                    && calls.call(
                                    provider.type(),
                                    ProviderCalls.Operation.STATUS,
                                    () -> provider.status(row.providerRefOrId()))
                            == SandboxStatus.UNKNOWN) {
                try (LogContext.Scope scope = LogContext.sandbox(row.getTenantId(), row.getId())) {
                    log.warn(
                            "Provider {} no longer has running sandbox {}; marking it FAILED",
                            provider.type(),
                            row.getId());
                    management.markLost(row);
                    repaired(provider, "lost");
                }
            }
        }
    }

    private void repaired(SandboxProvider provider, String action) {
        meters.counter(REPAIRS, "provider", provider.type(), "action", action).increment();
    }
}
