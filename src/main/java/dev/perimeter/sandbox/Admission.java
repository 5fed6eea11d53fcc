package dev.perimeter.sandbox;

import dev.perimeter.cost.UsageLedger;
import dev.perimeter.tenant.Budget;
import dev.perimeter.tenant.Quota;
import dev.perimeter.tenant.Tenant;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Decides, inside the transaction that inserts a new sandbox's row, whether the tenant may have it: the tenant's and
 * the agent's parallel limits, then the budget (spent + reserved + this create's estimate ≤ limit). Holding the
 * tenant's counter row lock makes the check and the count one step on every replica.
 */
@Component
class Admission {

    private final SandboxCounters counters;
    private final UsageLedger ledger;
    private final SandboxProperties properties;
    private final MeterRegistry meters;
    private final Clock clock;

    Admission(
            SandboxCounters counters,
            UsageLedger ledger,
            SandboxProperties properties,
            MeterRegistry meters,
            Clock clock) {
        this.counters = counters;
        this.ledger = ledger;
        this.properties = properties;
        this.meters = meters;
        this.clock = clock;
    }

    /** Admits the sandbox and counts it with its reservation, or throws why not. */
    @Transactional(propagation = Propagation.MANDATORY)
    void admit(Tenant tenant, Sandbox sandbox) {
        Quota quota = tenant.getQuota();
        SandboxCounters.TenantCounts counts = counters.lockTenant(tenant.getId());
        Integer tenantLimit = quota.maxParallelSandboxes();
        if (tenantLimit != null && counts.active() >= tenantLimit) {
            throw rejected(new QuotaExceededException(
                    QuotaExceededException.Scope.TENANT, "sandboxes", tenantLimit, counts.active(), retryAfter()));
        }
        Integer agentLimit = quota.maxParallelSandboxesPerAgent();
        if (agentLimit != null && sandbox.getAgentId() != null) {
            int agentActive = counters.agentActive(tenant.getId(), sandbox.getAgentId());
            if (agentActive >= agentLimit) {
                throw rejected(new QuotaExceededException(
                        QuotaExceededException.Scope.AGENT, "sandboxes", agentLimit, agentActive, retryAfter()));
            }
        }
        Budget budget = tenant.getBudget();
        if (budget != null) {
            BigDecimal spent = ledger.spentInPeriodOf(tenant.getId(), clock.instant());
            BigDecimal committed = spent.add(counts.reservedUsd()).add(sandbox.getReservedUsd());
            if (spent.compareTo(budget.limitUsd()) >= 0 || committed.compareTo(budget.limitUsd()) > 0) {
                throw rejected(new BudgetExhaustedException(
                        budget.limitUsd(), spent, counts.reservedUsd(), sandbox.getReservedUsd()));
            }
        }
        counters.acquire(tenant.getId(), sandbox.getAgentId(), sandbox.getReservedUsd());
        meters.counter(AdmissionMetrics.ADMISSIONS, "outcome", "admitted").increment();
    }

    private Duration retryAfter() {
        return properties.quotaRetryAfter();
    }

    private <E extends RuntimeException> E rejected(E reason) {
        AdmissionMetrics.rejected(meters, reason);
        return reason;
    }
}
