package dev.perimeter.sandbox;

import dev.perimeter.cost.UsageLedger;
import dev.perimeter.tenant.TenantUsage;
import java.math.BigDecimal;
import org.springframework.stereotype.Component;

/** Tells the tenant module how many sandboxes a tenant has live and what it has spent this period. */
@Component
class SandboxUsage implements TenantUsage {

    private final SandboxManagement sandboxes;
    private final UsageLedger ledger;

    SandboxUsage(SandboxManagement sandboxes, UsageLedger ledger) {
        this.sandboxes = sandboxes;
        this.ledger = ledger;
    }

    @Override
    public long activeSandboxes(String tenantId) {
        return sandboxes.active(tenantId);
    }

    @Override
    public BigDecimal spentThisPeriodUsd(String tenantId) {
        return ledger.spentThisPeriod(tenantId);
    }
}
