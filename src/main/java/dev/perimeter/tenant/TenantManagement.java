package dev.perimeter.tenant;

import dev.perimeter.shared.ConflictException;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Page;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Creates and reads tenants. */
@Service
public class TenantManagement {

    private final Tenants tenants;
    private final Clock clock;

    TenantManagement(Tenants tenants, Clock clock) {
        this.tenants = tenants;
        this.clock = clock;
    }

    /**
     * A new tenant's settings.
     *
     * @param id slug {@code [a-z0-9-]{3,63}}
     * @param displayName human name
     * @param defaultProvider provider used when a create names none, or {@code null} for the platform default
     * @param defaultRegion region used when a create names none, or {@code null} for the provider's default
     * @param allowedProviders providers the tenant may use; empty for any
     * @param allowedRegions regions the tenant may use; empty for any
     */
    public record NewTenant(
            String id,
            String displayName,
            @Nullable String defaultProvider,
            @Nullable String defaultRegion,
            List<String> allowedProviders,
            List<String> allowedRegions) {}

    /** Creates a tenant; an existing id is a conflict. */
    @Transactional
    public Tenant create(NewTenant request) {
        if (tenants.existsById(request.id())) {
            throw new ConflictException("A tenant with id '" + request.id() + "' already exists");
        }
        Tenant tenant = new Tenant(request.id(), request.displayName(), clock.instant());
        tenant.setPlacement(
                request.defaultProvider(),
                request.defaultRegion(),
                request.allowedProviders(),
                request.allowedRegions());
        try {
            return tenants.saveAndFlush(tenant);
        } catch (DataIntegrityViolationException e) {
            throw new ConflictException("A tenant with id '" + request.id() + "' already exists");
        }
    }

    /** The tenant with that id: one statement, so no transaction of its own. */
    public Tenant get(String tenantId) {
        return tenants.findById(tenantId).orElseThrow(() -> new NoSuchTenantException(tenantId));
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
