package dev.perimeter.tenant;

import dev.perimeter.database.InvalidatingCache;
import dev.perimeter.database.Invalidations;
import dev.perimeter.shared.ConflictException;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Page;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Creates and reads tenants. */
@Service
public class TenantManagement {

    /** The {@link Invalidations} topic of tenants; the key is the tenant's id. */
    static final String TOPIC = "tenant";

    private final Tenants tenants;
    private final Clock clock;
    private final Invalidations invalidations;
    private final InvalidatingCache<Tenant> current;

    TenantManagement(Tenants tenants, Clock clock, Invalidations invalidations) {
        this.tenants = tenants;
        this.clock = clock;
        this.invalidations = invalidations;
        this.current = invalidations.cache(TOPIC, 100_000);
    }

    /** Creates a tenant; an existing id is a conflict. */
    @Transactional
    public Tenant create(String id, TenantSettings settings) {
        if (tenants.existsById(id)) {
            throw new ConflictException("A tenant with id '" + id + "' already exists");
        }
        Tenant tenant = new Tenant(id, settings.displayName(), clock.instant());
        tenant.apply(settings);
        try {
            return tenants.saveAndFlush(tenant);
        } catch (DataIntegrityViolationException e) {
            throw new ConflictException("A tenant with id '" + id + "' already exists");
        }
    }

    /**
     * Replaces the tenant's settings with what {@code edit} makes of them as they are now (a merge patch), with the
     * tenant's row locked: a change made meanwhile by another admin or replica is seen, not overwritten.
     */
    @Transactional
    public Tenant edit(String tenantId, UnaryOperator<TenantSettings> edit) {
        return change(tenantId, tenant -> tenant.apply(edit.apply(tenant.getSettings())));
    }

    /** Replaces the tenant's limits; they apply to the next create. */
    @Transactional
    public Tenant setQuota(String tenantId, Quota quota) {
        return change(tenantId, tenant -> tenant.applyQuota(quota));
    }

    /** Replaces the tenant's spending limit ({@code null} removes it). */
    @Transactional
    public Tenant setBudget(String tenantId, @Nullable Budget budget) {
        return change(tenantId, tenant -> tenant.applyBudget(budget));
    }

    /** Changes the tenant inside the caller's transaction, holding its row until the commit. */
    private Tenant change(String tenantId, Consumer<Tenant> change) {
        Tenant tenant = tenants.findLockedById(tenantId).orElseThrow(() -> new NoSuchTenantException(tenantId));
        change.accept(tenant);
        tenant.touch(clock.instant());
        invalidations.publish(TOPIC, tenantId);
        return tenant;
    }

    /** Tenants that have a budget, for the jobs that enforce them. */
    @Transactional(readOnly = true)
    public List<Tenant> withBudget() {
        return tenants.findByBudgetLimitUsdIsNotNull();
    }

    /** The tenant with that id: one statement, so no transaction of its own. */
    public Tenant get(String tenantId) {
        return tenants.findById(tenantId).orElseThrow(() -> new NoSuchTenantException(tenantId));
    }

    /**
     * The tenant as of its last change, for the path every create takes: kept in an {@link InvalidatingCache} that a
     * change empties on every replica as it commits. The instance is shared between requests: read it, never change it.
     */
    public Tenant current(String tenantId) {
        return current.get(tenantId, tenants::findById).orElseThrow(() -> new NoSuchTenantException(tenantId));
    }

    /** Whether a tenant with that id exists. */
    @Transactional(readOnly = true)
    public boolean exists(String tenantId) {
        return tenants.existsById(tenantId);
    }

    /** Tenants, newest first. */
    @Transactional(readOnly = true)
    public Page<Tenant> list(@Nullable String cursor, @Nullable Integer limit) {
        int size = Cursor.limit(limit);
        Cursor after = Cursor.decodeOrStart(cursor);
        List<Tenant> rows = tenants.pageAfter(after.createdAt(), after.id(), size + 1);
        return Page.ofRows(rows, size, last -> new Cursor(last.getCreatedAt(), last.getId()));
    }
}
