package dev.perimeter.sandbox;

import dev.perimeter.audit.AuditEvent;
import dev.perimeter.audit.AuditTrail;
import dev.perimeter.cost.Pricing;
import dev.perimeter.provider.ProvisionedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.shared.CapabilityUnsupportedException;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.LogContext;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.PerimeterException;
import dev.perimeter.tenant.Tenant;
import dev.perimeter.tenant.TenantContext;
import dev.perimeter.tenant.TenantManagement;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sandbox lifecycle: create, read, list, destroy and expire. Each step commits its intent to Postgres before it
 * calls the provider, and no transaction stays open across a provider call.
 */
@Service
public class SandboxManagement {

    private static final Logger log = LoggerFactory.getLogger(SandboxManagement.class);

    /** Why a sandbox ended. */
    static final String REQUESTED = "REQUESTED";

    static final String EXPIRED = "EXPIRED";

    static final String BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED";

    static final String PROVIDER_LOST = "PROVIDER_LOST: the provider no longer has this sandbox";

    private final Sandboxes sandboxes;
    private final SandboxTransitions transitions;
    private final Snapshots snapshots;
    private final TenantManagement tenants;
    private final SandboxPlacement placement;
    private final SandboxTeardown teardown;
    private final Admission admission;
    private final SandboxCounters counters;
    private final Pricing pricing;
    private final ProviderCalls calls;
    private final MeterRegistry meters;
    private final Timer admissionTimer;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final AuditTrail audit;

    SandboxManagement(
            Sandboxes sandboxes,
            SandboxTransitions transitions,
            Snapshots snapshots,
            TenantManagement tenants,
            SandboxPlacement placement,
            SandboxTeardown teardown,
            Admission admission,
            SandboxCounters counters,
            Pricing pricing,
            ProviderCalls calls,
            MeterRegistry meters,
            TransactionTemplate transactions,
            Clock clock,
            AuditTrail audit) {
        this.sandboxes = sandboxes;
        this.transitions = transitions;
        this.snapshots = snapshots;
        this.tenants = tenants;
        this.placement = placement;
        this.teardown = teardown;
        this.admission = admission;
        this.counters = counters;
        this.pricing = pricing;
        this.calls = calls;
        this.meters = meters;
        this.admissionTimer = Timer.builder("perimeter.sandbox.admission")
                .description("The admission transaction of a create, commit included, admitted or not")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(meters);
        this.transactions = transactions;
        this.clock = clock;
        this.audit = audit;
    }

    /**
     * Admits and provisions a sandbox for the tenant and answers it {@code RUNNING} (or {@code PROVISIONING} if the
     * vendor is slow). Admission — the tenant's and agent's limits and the budget — and the row's insert are one short
     * transaction before the provider is called (one statement when no agent is named); a failed provider call gives
     * the slot and reservation back.
     */
    public Sandbox create(TenantContext context, NewSandbox request) {
        Tenant tenant = tenants.current(context.tenantId());
        SandboxPlacement.Placement where;
        try {
            where = placement.place(tenant, request);
        } catch (PlacementNotAllowedException e) {
            AdmissionMetrics.rejected(meters, e);
            throw e;
        }
        Snapshot from = request.fromSnapshot() == null ? null : restorable(context, request.fromSnapshot(), where);
        Instant now = clock.instant();
        Sandbox sandbox = new Sandbox(
                Ids.next("sbx"),
                context.tenantId(),
                request.agentId(),
                where.provider().type(),
                where.region(),
                request.image(),
                where.resources(),
                where.egress(),
                request.labels(),
                from == null ? null : from.getId(),
                CorrelationId.current(),
                now,
                now.plus(where.lifetime()),
                pricing.ratesOf(where.provider().type())
                        .estimate(
                                where.resources().vcpus(),
                                where.resources().memoryMib(),
                                where.resources().gpu(),
                                where.lifetime()));
        try (LogContext.Scope scope = LogContext.sandbox(sandbox.getTenantId(), sandbox.getId())) {
            admissionTimer.record(() -> {
                if (!admission.admitAtOnce(tenant, sandbox)) {
                    transactions.executeWithoutResult(status -> {
                        transitions.insert(sandbox);
                        admission.admit(tenant, sandbox);
                    });
                }
            });
            return launch(sandbox, where, request, from);
        }
    }

    private Sandbox launch(
            Sandbox sandbox, SandboxPlacement.Placement where, NewSandbox request, @Nullable Snapshot from) {
        SandboxSpec spec = new SandboxSpec(
                sandbox.getId(),
                sandbox.getTenantId(),
                sandbox.getCorrelationId(),
                where.region(),
                request.image(),
                where.resources(),
                where.egress(),
                request.env(),
                request.labels(),
                where.lifetime(),
                from == null ? null : from.getProviderRef());
        return provision(sandbox, where.provider(), spec);
    }

    /** Calls the provider and records what it answered; answers the sandbox as it now is. */
    private Sandbox provision(Sandbox sandbox, SandboxProvider provider, SandboxSpec spec) {
        ProvisionedSandbox provisioned;
        try {
            provisioned = calls.call(provider.type(), ProviderCalls.Operation.CREATE, () -> provider.create(spec));
        } catch (PerimeterException e) {
            fail(sandbox, provider, "PROVIDER_ERROR: " + e.getBody().getDetail());
            throw e;
        }
        boolean running = provisioned.status() == SandboxStatus.RUNNING;
        Instant now = clock.instant();
        int moved = running
                ? transitions.markRunning(sandbox.getId(), provisioned.providerRef(), now)
                : transitions.recordProviderRef(sandbox.getId(), provisioned.providerRef());
        if (moved == 0) {
            log.info(
                    "Sandbox {} was destroyed while it was being provisioned; destroying it on {}",
                    sandbox.getId(),
                    provider.type());
            Sandbox current = reload(sandbox.getId());
            teardown.finish(current);
            return current;
        }
        if (running) {
            sandbox.running(provisioned.providerRef(), now);
        } else {
            sandbox.provisionedAs(provisioned.providerRef());
        }
        log.info(
                "Sandbox {} is {} on {} in {}",
                sandbox.getId(),
                sandbox.getState(),
                provider.type(),
                sandbox.getRegion());
        return sandbox;
    }

    private void fail(Sandbox sandbox, SandboxProvider provider, String reason) {
        markFailed(sandbox, truncate(reason));
        try {
            calls.run(provider.type(), ProviderCalls.Operation.DESTROY, () -> provider.destroy(sandbox.getId()));
        } catch (RuntimeException cleanup) {
            log.warn(
                    "Could not clean up failed sandbox {} on {}; the reconciler will",
                    sandbox.getId(),
                    provider.type(),
                    cleanup);
        }
    }

    private Snapshot restorable(TenantContext context, String snapshotId, SandboxPlacement.Placement where) {
        Snapshot snapshot = snapshots
                .findByIdAndTenantId(snapshotId, context.tenantId())
                .orElseThrow(() -> new NoSuchSnapshotException(snapshotId));
        if (snapshot.getState() != SnapshotState.READY || snapshot.getProviderRef() == null) {
            throw new SnapshotNotReadyException(snapshot);
        }
        if (!snapshot.getProvider().equals(where.provider().type())) {
            throw new CapabilityUnsupportedException(
                    where.provider().type(),
                    "fromSnapshot",
                    "Snapshot '" + snapshotId + "' was taken on provider '" + snapshot.getProvider()
                            + "' and can only be restored there");
        }
        return snapshot;
    }

    /** The tenant's sandbox with that id. */
    public Sandbox get(TenantContext context, String sandboxId) {
        return transitions.find(sandboxId, context.tenantId()).orElseThrow(() -> new NoSuchSandboxException(sandboxId));
    }

    /** The tenant's sandboxes, newest first, optionally of one state or agent. */
    public Page<Sandbox> list(
            TenantContext context,
            @Nullable SandboxState state,
            @Nullable String agentId,
            @Nullable String cursor,
            @Nullable Integer limit) {
        int size = Cursor.limit(limit);
        Cursor after = Cursor.decodeOrStart(cursor);
        List<Sandbox> rows =
                sandboxes.page(context.tenantId(), state, agentId, after.createdAt(), after.id(), size + 1);
        return Page.ofRows(rows, size, last -> new Cursor(last.getCreatedAt(), last.getId()));
    }

    /**
     * Destroys the tenant's sandbox: commits {@code DESTROYING} and answers it, while the provider's clean-up finishes
     * in the background (then {@code DESTROYED}; the reaper retries it if it fails). Destroying one that is already
     * ending or ended answers it as it is (and retries a {@code DESTROYING} one's clean-up).
     */
    public Sandbox destroy(TenantContext context, String sandboxId) {
        Sandbox sandbox = transitions
                .markDestroying(sandboxId, context.tenantId(), REQUESTED)
                .orElseGet(() -> get(context, sandboxId)); // not live: answered as it is
        if (sandbox.getState() == SandboxState.DESTROYING) {
            teardown.finishLater(sandbox);
        }
        return sandbox;
    }

    /** Destroys a sandbox for a reason ({@code EXPIRED}) before returning; safe to repeat and to race. */
    Sandbox destroy(Sandbox sandbox, String reason) {
        if (sandbox.getState().isEnded()) {
            return sandbox;
        }
        try (LogContext.Scope scope = LogContext.sandbox(sandbox.getTenantId(), sandbox.getId())) {
            log.info("Destroying sandbox {}: {}", sandbox.getId(), reason);
            Sandbox destroying = markDestroying(sandbox, reason);
            if (destroying.getState() == SandboxState.DESTROYING) {
                auditSystemAction(sandbox, "sandbox.destroy", reason);
                teardown.finish(destroying);
            }
            return destroying;
        }
    }

    /** Moves a live sandbox to {@code DESTROYING}; answers it as it now is, whoever moved it. */
    private Sandbox markDestroying(Sandbox sandbox, String reason) {
        if (transitions.markDestroying(sandbox.getId(), reason) == 1) {
            sandbox.destroying(reason);
            return sandbox;
        }
        return reload(sandbox.getId()); // another request or replica moved it first
    }

    /** Fails a running sandbox whose provider no longer has it, giving back its slot. */
    void markLost(Sandbox sandbox) {
        markFailed(sandbox, PROVIDER_LOST);
    }

    /** Moves a live sandbox to {@code FAILED} and gives back its quota slot and reservation, in one transaction. */
    private void markFailed(Sandbox sandbox, String reason) {
        Boolean failed = transactions.execute(status -> {
            if (transitions.markFailed(sandbox.getId(), reason, clock.instant()) == 1) {
                counters.release(sandbox.getId());
                return true;
            }
            return false;
        });
        if (Boolean.TRUE.equals(failed)) {
            auditSystemAction(sandbox, "sandbox.fail", reason);
        }
    }

    /** Records a move Perimeter made on its own (expiry, budget stop, a lost sandbox) in the audit trail. */
    private void auditSystemAction(Sandbox sandbox, String action, String reason) {
        audit.record(AuditEvent.system(
                "sandbox-management", sandbox.getTenantId(), action, sandbox.getId(), Map.of("reason", reason)));
    }

    /** Destroys sandboxes past {@code expiresAt} and retries destroys that failed; answers how many it handled. */
    int collect(int batch) {
        List<Sandbox> expired = sandboxes.expired(clock.instant(), batch);
        expired.forEach(sandbox -> destroy(sandbox, EXPIRED));
        List<Sandbox> stuck = sandboxes.destroying(batch);
        stuck.forEach(teardown::finish);
        return expired.size() + stuck.size();
    }

    /** Sandboxes of the tenant that count against its quota. */
    long active(String tenantId) {
        return sandboxes.countByTenantIdAndStateIn(tenantId, SandboxState.ACTIVE);
    }

    Sandbox reload(String sandboxId) {
        return sandboxes.findById(sandboxId).orElseThrow(() -> new NoSuchSandboxException(sandboxId));
    }

    private static String truncate(String reason) {
        return reason.length() > 500 ? reason.substring(0, 500) : reason;
    }
}
