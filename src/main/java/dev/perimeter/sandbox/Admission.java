package dev.perimeter.sandbox;

import dev.perimeter.tenant.Budget;
import dev.perimeter.tenant.Quota;
import dev.perimeter.tenant.Tenant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Decides, inside the transaction that inserts a new sandbox's row, whether the tenant may have it: the tenant's
 * parallel limit and budget (spent + reserved + this create's estimate ≤ limit) in one conditional update of the
 * tenant's counter row, then the agent's limit in one conditional upsert of the agent's. The check and the count are
 * one step on every replica, and the row lock is held only from that update to the commit.
 */
@Component
class Admission {

    private final SandboxCounters counters;
    private final SandboxTransitions transitions;
    private final SandboxProperties properties;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Counter admitted;

    Admission(
            SandboxCounters counters,
            SandboxTransitions transitions,
            SandboxProperties properties,
            MeterRegistry meters,
            Clock clock) {
        this.counters = counters;
        this.transitions = transitions;
        this.properties = properties;
        this.meters = meters;
        this.clock = clock;
        this.admitted = meters.counter(AdmissionMetrics.ADMISSIONS, "outcome", "admitted");
    }

    /**
     * Admits and records a sandbox that names no agent in one statement of its own, outside any transaction: the
     * tenant's counter row is locked only while Postgres runs it. Answers {@code false}, having written nothing, when it
     * could not: the sandbox names an agent (whose limit needs a second statement in the same transaction), the tenant
     * has no counter row yet, or a limit stood in the way; the caller then goes through {@link #admit}, which also
     * says why not.
     */
    boolean admitAtOnce(Tenant tenant, Sandbox sandbox) {
        if (sandbox.getAgentId() != null) {
            return false;
        }
        Budget budget = tenant.getBudget();
        boolean counted = transitions.insertIfCounted(
                sandbox,
                tenant.getQuota().maxParallelSandboxes(),
                budget == null ? null : budget.limitUsd(),
                Budget.Period.MONTHLY.startOf(clock.instant()));
        if (counted) {
            admitted.increment();
        }
        return counted;
    }

    /**
     * Admits the sandbox and counts it with its reservation, or throws why not. The caller has inserted the row in
     * this transaction; the tenant's counter row is locked from here to the commit.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void admit(Tenant tenant, Sandbox sandbox) {
        Quota quota = tenant.getQuota();
        Budget budget = tenant.getBudget();
        LocalDate period = Budget.Period.MONTHLY.startOf(clock.instant());
        BigDecimal limitUsd = budget == null ? null : budget.limitUsd();
        boolean counted = counters.tryAcquire(
                tenant.getId(), quota.maxParallelSandboxes(), limitUsd, sandbox.getReservedUsd(), period);
        if (!counted) {
            // A tenant's first create finds no counter row; whoever creates it, the second try sees it.
            counters.ensureTenant(tenant.getId());
            counted = counters.tryAcquire(
                    tenant.getId(), quota.maxParallelSandboxes(), limitUsd, sandbox.getReservedUsd(), period);
        }
        if (!counted) {
            throw rejected(whyNot(tenant, sandbox, period));
        }
        if (sandbox.getAgentId() != null
                && !counters.tryAcquireAgent(
                        tenant.getId(), sandbox.getAgentId(), quota.maxParallelSandboxesPerAgent())) {
            int limit = java.util.Objects.requireNonNull(quota.maxParallelSandboxesPerAgent());
            throw rejected(new QuotaExceededException(
                    QuotaExceededException.Scope.AGENT,
                    "sandboxes",
                    limit,
                    counters.agentActive(tenant.getId(), sandbox.getAgentId()),
                    retryAfter()));
        }
        admitted.increment();
    }

    /**
     * Which check refused the create. The counters are read again without the lock, so a destroy may have freed a
     * slot since: a refusal the budget does not explain was the parallel limit, reported at no less than the limit.
     */
    private RuntimeException whyNot(Tenant tenant, Sandbox sandbox, LocalDate period) {
        SandboxCounters.TenantCounts counts = counters.read(tenant.getId(), period);
        Integer limit = tenant.getQuota().maxParallelSandboxes();
        Budget budget = tenant.getBudget();
        boolean atLimit = limit != null && counts.active() >= limit;
        if (budget != null && !atLimit && overBudget(budget, counts, sandbox.getReservedUsd())) {
            return new BudgetExhaustedException(
                    budget.limitUsd(), counts.spentUsd(), counts.reservedUsd(), sandbox.getReservedUsd());
        }
        if (limit != null) {
            return new QuotaExceededException(
                    QuotaExceededException.Scope.TENANT,
                    "sandboxes",
                    limit,
                    Math.max(limit, counts.active()),
                    retryAfter());
        }
        return new BudgetExhaustedException(
                java.util.Objects.requireNonNull(budget).limitUsd(),
                counts.spentUsd(),
                counts.reservedUsd(),
                sandbox.getReservedUsd());
    }

    private static boolean overBudget(Budget budget, SandboxCounters.TenantCounts counts, BigDecimal estimate) {
        return counts.spentUsd().compareTo(budget.limitUsd()) >= 0
                || counts.spentUsd().add(counts.reservedUsd()).add(estimate).compareTo(budget.limitUsd()) > 0;
    }

    private Duration retryAfter() {
        return properties.quotaRetryAfter();
    }

    private <E extends RuntimeException> E rejected(E reason) {
        AdmissionMetrics.rejected(meters, reason);
        return reason;
    }
}
