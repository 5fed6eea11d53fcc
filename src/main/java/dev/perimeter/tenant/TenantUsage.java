package dev.perimeter.tenant;

/** Live usage figures of a tenant, provided by the module that owns sandboxes. */
public interface TenantUsage {

    /** Sandboxes not yet {@code DESTROYED} or {@code FAILED}. */
    long activeSandboxes(String tenantId);
}
