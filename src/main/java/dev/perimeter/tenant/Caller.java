package dev.perimeter.tenant;

import org.jspecify.annotations.Nullable;

/**
 * Who is calling: an authenticated API key and its role.
 *
 * @param keyId the key's id
 * @param role what the key may do
 * @param tenantId the key's tenant, {@code null} for admin keys
 */
public record Caller(String keyId, Role role, @Nullable String tenantId) {

    /** What a key may do. */
    public enum Role {
        /** The platform team: manages tenants, quotas, budgets and keys. */
        ADMIN,
        /** An orchestrator acting for exactly one tenant. */
        TENANT
    }

    /** The tenant this caller acts for; only for {@link Role#TENANT} callers. */
    public TenantContext tenantContext() {
        if (role != Role.TENANT || tenantId == null) {
            throw new IllegalStateException("An admin key does not act for a tenant");
        }
        return new TenantContext(tenantId, keyId);
    }
}
