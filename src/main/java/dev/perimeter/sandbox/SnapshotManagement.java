package dev.perimeter.sandbox;

import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.shared.CapabilityUnsupportedException;
import dev.perimeter.shared.ConflictException;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.PerimeterException;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.TenantContext;
import dev.perimeter.tenant.TenantManagement;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Takes, lists, expires and deletes snapshots of sandbox workspaces. */
@Service
public class SnapshotManagement {

    private static final Logger log = LoggerFactory.getLogger(SnapshotManagement.class);

    private final SandboxManagement sandboxes;
    private final Snapshots snapshots;
    private final ProviderRegistry providers;
    private final ProviderCalls calls;
    private final TenantManagement tenants;
    private final SandboxCounters counters;
    private final MeterRegistry meters;
    private final Duration quotaRetryAfter;
    private final TransactionTemplate transactions;
    private final Clock clock;

    SnapshotManagement(
            SandboxManagement sandboxes,
            Snapshots snapshots,
            ProviderRegistry providers,
            ProviderCalls calls,
            TenantManagement tenants,
            SandboxCounters counters,
            MeterRegistry meters,
            SandboxProperties properties,
            TransactionTemplate transactions,
            Clock clock) {
        this.tenants = tenants;
        this.counters = counters;
        this.meters = meters;
        this.quotaRetryAfter = properties.quotaRetryAfter();
        this.sandboxes = sandboxes;
        this.snapshots = snapshots;
        this.providers = providers;
        this.calls = calls;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Captures a running sandbox's workspace; {@code ttl}, when given, expires the snapshot. */
    public Snapshot create(TenantContext context, String sandboxId, @Nullable String name, @Nullable Duration ttl) {
        Sandbox sandbox = sandboxes.get(context, sandboxId);
        if (sandbox.getState() != SandboxState.RUNNING) {
            throw new SandboxNotRunningException(sandboxId, sandbox.getState());
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new ValidationFailedException("ttl", "must be a positive duration");
        }
        SandboxProvider provider = providers.get(sandbox.getProvider());
        if (!provider.capabilities().snapshots()) {
            throw new CapabilityUnsupportedException(
                    provider.type(), "snapshots", "Provider '" + provider.type() + "' cannot take snapshots");
        }
        Instant now = clock.instant();
        Snapshot snapshot = new Snapshot(
                Ids.next("snap"),
                sandbox,
                name,
                provider.capabilities().snapshotPersistence(),
                CorrelationId.current(),
                now,
                ttl == null ? null : now.plus(ttl));
        Integer limit = tenants.get(context.tenantId()).getQuota().maxSnapshots();
        transactions.executeWithoutResult(status -> {
            if (limit != null) {
                counters.lockTenant(context.tenantId());
                long live = snapshots.countByTenantIdAndStateIn(context.tenantId(), SnapshotState.LIVE);
                if (live >= limit) {
                    QuotaExceededException exceeded = new QuotaExceededException(
                            QuotaExceededException.Scope.TENANT, "snapshots", limit, live, quotaRetryAfter);
                    AdmissionMetrics.rejected(meters, exceeded);
                    throw exceeded;
                }
            }
            snapshots.save(snapshot);
        });
        SnapshotResult result;
        try {
            result = calls.call(
                    provider.type(),
                    ProviderCalls.Operation.SNAPSHOT,
                    () -> provider.snapshot(sandbox.providerRefOrId(), snapshot.getId()));
        } catch (PerimeterException e) {
            update(
                    snapshot.getId(),
                    stored -> stored.fail(String.valueOf(e.getBody().getDetail())));
            throw e;
        }
        return update(snapshot.getId(), stored -> {
            stored.ready(result.snapshotRef(), result.sizeBytes(), result.persistence());
            stored.expireNoLaterThan(result.expiresAt());
        });
    }

    /** The tenant's snapshot with that id. */
    public Snapshot get(TenantContext context, String snapshotId) {
        return snapshots
                .findByIdAndTenantId(snapshotId, context.tenantId())
                .orElseThrow(() -> new NoSuchSnapshotException(snapshotId));
    }

    /** The tenant's snapshots, newest first, optionally of one sandbox. */
    public Page<Snapshot> list(
            TenantContext context, @Nullable String sandboxId, @Nullable String cursor, @Nullable Integer limit) {
        int size = Cursor.limit(limit);
        Cursor after = Cursor.decodeOrStart(cursor);
        List<Snapshot> rows = snapshots.page(context.tenantId(), sandboxId, after.createdAt(), after.id(), size + 1);
        return Page.ofRows(rows, size, last -> new Cursor(last.getCreatedAt(), last.getId()));
    }

    /** Deletes the snapshot and its stored artefact; deleting again answers it as it is. */
    public Snapshot delete(TenantContext context, String snapshotId) {
        Snapshot snapshot = get(context, snapshotId);
        return switch (snapshot.getState()) {
            case CREATING -> throw new ConflictException("Snapshot '" + snapshotId + "' is still being taken");
            case READY -> end(snapshot, SnapshotState.DELETED);
            case DELETED, EXPIRED, FAILED -> snapshot;
        };
    }

    /** Expires snapshots past their TTL; answers how many. */
    int collect(int batch) {
        List<Snapshot> expired = snapshots.expired(clock.instant(), batch);
        expired.forEach(snapshot -> end(snapshot, SnapshotState.EXPIRED));
        return expired.size();
    }

    private Snapshot end(Snapshot snapshot, SnapshotState endState) {
        Snapshot ended = update(snapshot.getId(), stored -> stored.end(endState));
        String ref = snapshot.getProviderRef();
        providers.find(snapshot.getProvider()).ifPresent(provider -> {
            if (ref == null) {
                return;
            }
            try {
                calls.run(provider.type(), ProviderCalls.Operation.DELETE_SNAPSHOT, () -> provider.deleteSnapshot(ref));
            } catch (RuntimeException e) {
                log.warn("Could not delete the artefact of snapshot {} on {}", snapshot.getId(), provider.type(), e);
            }
        });
        return ended;
    }

    private Snapshot update(String snapshotId, java.util.function.Consumer<Snapshot> change) {
        return transactions.execute(status -> {
            Snapshot stored = snapshots.findById(snapshotId).orElseThrow(() -> new NoSuchSnapshotException(snapshotId));
            change.accept(stored);
            return stored;
        });
    }
}
