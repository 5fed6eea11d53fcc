package dev.perimeter.sandbox;

import dev.perimeter.cost.UsageLedger;
import dev.perimeter.tenant.Budget;
import dev.perimeter.tenant.Tenant;
import dev.perimeter.tenant.TenantManagement;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Applies {@code STOP_RUNNING} budgets: once the meter has taken a tenant's spend for the period to its limit, its
 * live sandboxes are destroyed with {@code endReason: BUDGET_EXHAUSTED}. ({@code DENY_NEW} needs nothing here:
 * admission refuses the next create.)
 */
@Component
class BudgetEnforcement {

    private static final Logger log = LoggerFactory.getLogger(BudgetEnforcement.class);
    private static final Set<SandboxState> STOPPABLE = Set.of(SandboxState.PROVISIONING, SandboxState.RUNNING);

    private final TenantManagement tenants;
    private final UsageLedger ledger;
    private final Sandboxes sandboxes;
    private final SandboxManagement management;

    BudgetEnforcement(TenantManagement tenants, UsageLedger ledger, Sandboxes sandboxes, SandboxManagement management) {
        this.tenants = tenants;
        this.ledger = ledger;
        this.sandboxes = sandboxes;
        this.management = management;
    }

    /** Stops the sandboxes of every {@code STOP_RUNNING} tenant over its budget; answers how many. */
    int enforce() {
        int stopped = 0;
        for (Tenant tenant : tenants.withBudget()) {
            Budget budget = tenant.getBudget();
            if (budget == null || budget.onExhausted() != Budget.OnExhausted.STOP_RUNNING) {
                continue;
            }
            BigDecimal spent = ledger.spentThisPeriod(tenant.getId());
            if (spent.compareTo(budget.limitUsd()) < 0) {
                continue;
            }
            List<Sandbox> live = sandboxes.findByTenantIdAndStateIn(tenant.getId(), STOPPABLE);
            if (!live.isEmpty()) {
                log.info(
                        "Tenant {} has spent {} of its {} budget; stopping its {} running sandboxes",
                        tenant.getId(),
                        spent,
                        budget.limitUsd(),
                        live.size());
            }
            for (Sandbox sandbox : live) {
                management.destroy(sandbox, SandboxManagement.BUDGET_EXHAUSTED);
                stopped++;
            }
        }
        return stopped;
    }
}
