package dev.perimeter.sandbox;

import dev.perimeter.tenant.TenantUsage;
import org.springframework.stereotype.Component;

/** Tells the tenant module how many sandboxes a tenant has live. */
@Component
class SandboxUsage implements TenantUsage {

    private final SandboxManagement sandboxes;

    SandboxUsage(SandboxManagement sandboxes) {
        this.sandboxes = sandboxes;
    }

    @Override
    public long activeSandboxes(String tenantId) {
        return sandboxes.active(tenantId);
    }
}
