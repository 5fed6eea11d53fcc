package dev.perimeter.cost;

import dev.perimeter.tenant.Budget;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The append-only usage ledger and each tenant's running spend per budget period. A charge and the spend it adds are
 * written in one transaction, so the ledger's sum for a period always equals the spend.
 */
@Service
public class UsageLedger {

    private final JdbcClient jdbc;
    private final Clock clock;

    UsageLedger(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Records a charge; runs in the caller's transaction, which must exist. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(Charge charge) {
        LocalDate period = Budget.Period.MONTHLY.startOf(charge.to());
        jdbc.sql(
                        """
                        insert into usage_ledger (tenant_id, provider, kind, sandbox_id, snapshot_id, period_start,
                            from_at, to_at, sandbox_seconds, vcpu_seconds, memory_gib_seconds, gpu_seconds, cost_usd,
                            recorded_at)
                        values (:tenant, :provider, :kind, :sandbox, :snapshot, :period, :from, :to, :sandboxSeconds,
                            :vcpuSeconds, :memorySeconds, :gpuSeconds, :cost, :now)""")
                .param("tenant", charge.tenantId())
                .param("provider", charge.provider())
                .param("kind", charge.kind().name())
                .param("sandbox", charge.sandboxId())
                .param("snapshot", charge.snapshotId())
                .param("period", period)
                .param("from", Timestamp.from(charge.from()))
                .param("to", Timestamp.from(charge.to()))
                .param("sandboxSeconds", charge.sandboxSeconds())
                .param("vcpuSeconds", charge.vcpuSeconds())
                .param("memorySeconds", charge.memoryGibSeconds())
                .param("gpuSeconds", charge.gpuSeconds())
                .param("cost", charge.costUsd())
                .param("now", Timestamp.from(clock.instant()))
                .update();
        jdbc.sql(
                        """
                        insert into tenant_spend (tenant_id, period_start, spent_usd) values (:tenant, :period, :cost)
                        on conflict (tenant_id, period_start) do update set spent_usd = tenant_spend.spent_usd + :cost""")
                .param("tenant", charge.tenantId())
                .param("period", period)
                .param("cost", charge.costUsd())
                .update();
    }

    /** What the tenant spent in the budget period that holds {@code at}. */
    @Transactional(readOnly = true)
    public BigDecimal spentInPeriodOf(String tenantId, Instant at) {
        return jdbc.sql("select spent_usd from tenant_spend where tenant_id = :tenant and period_start = :period")
                .param("tenant", tenantId)
                .param("period", Budget.Period.MONTHLY.startOf(at))
                .query(BigDecimal.class)
                .optional()
                .orElse(BigDecimal.ZERO);
    }

    /** What the tenant spent in the current budget period. */
    public BigDecimal spentThisPeriod(String tenantId) {
        return spentInPeriodOf(tenantId, clock.instant());
    }

    /** Usage per provider of charges whose interval ended in {@code [from, to)}. */
    @Transactional(readOnly = true)
    public List<ProviderUsage> usage(String tenantId, Instant from, Instant to) {
        return jdbc.sql(
                        """
                        select provider,
                               count(distinct sandbox_id) filter (where kind = 'CREATE') as sandboxes_created,
                               coalesce(sum(sandbox_seconds), 0) as sandbox_seconds,
                               coalesce(sum(vcpu_seconds), 0) as vcpu_seconds,
                               coalesce(sum(memory_gib_seconds), 0) as memory_gib_seconds,
                               coalesce(sum(gpu_seconds), 0) as gpu_seconds,
                               coalesce(sum(cost_usd) filter (where kind = 'SNAPSHOT_STORAGE'), 0) as snapshot_cost_usd,
                               coalesce(sum(cost_usd), 0) as cost_usd
                        from usage_ledger
                        where tenant_id = :tenant and to_at >= :from and to_at < :to
                        group by provider
                        order by provider""")
                .param("tenant", tenantId)
                .param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to))
                .query((rs, row) -> new ProviderUsage(
                        rs.getString("provider"),
                        rs.getLong("sandboxes_created"),
                        rs.getBigDecimal("sandbox_seconds"),
                        rs.getBigDecimal("vcpu_seconds"),
                        rs.getBigDecimal("memory_gib_seconds"),
                        rs.getBigDecimal("gpu_seconds"),
                        rs.getBigDecimal("snapshot_cost_usd"),
                        rs.getBigDecimal("cost_usd")))
                .list();
    }

    /**
     * One provider's share of a tenant's usage.
     *
     * @param provider the provider
     * @param sandboxesCreated sandboxes that were charged a create
     * @param sandboxSeconds seconds sandboxes ran
     * @param vcpuSeconds vCPU-seconds
     * @param memoryGibSeconds GiB-seconds of memory
     * @param gpuSeconds GPU-seconds
     * @param snapshotCostUsd of which snapshot storage
     * @param costUsd everything
     */
    public record ProviderUsage(
            String provider,
            long sandboxesCreated,
            BigDecimal sandboxSeconds,
            BigDecimal vcpuSeconds,
            BigDecimal memoryGibSeconds,
            BigDecimal gpuSeconds,
            BigDecimal snapshotCostUsd,
            BigDecimal costUsd) {}
}
