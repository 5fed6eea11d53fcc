package dev.perimeter.sandbox;

import java.math.BigDecimal;
import java.sql.Types;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The admission counters: live sandboxes, reserved dollars and the period's spend per tenant, live sandboxes per
 * agent. A create counts itself with one conditional {@code UPDATE} of the tenant's row (the limit and the budget are
 * in its {@code WHERE}), so the creates of one tenant are admitted one at a time on every replica and hold the row
 * lock only until they commit; a sandbox's end gives its slot and reservation back in the transaction that ends it.
 * Methods run in the caller's transaction. Locks are always taken sandbox row, then tenant row, then agent row.
 */
@Component
class SandboxCounters {

    /**
     * Counts one more sandbox and its reservation ({@code :reserved}) on the tenant's row ({@code :tenant}) if the
     * parallel limit ({@code :max}) and the budget ({@code :limit} for {@code :period}) allow it; either may be null.
     */
    static final String COUNT_ONE =
            """
            update tenant_counters set active_sandboxes = active_sandboxes + 1,
                reserved_usd = reserved_usd + :reserved
            where tenant_id = :tenant
              and (cast(:max as integer) is null or active_sandboxes < :max)
              and (cast(:limit as numeric) is null or (
                  (case when spent_period = :period then spent_usd else 0 end) < :limit
                  and (case when spent_period = :period then spent_usd else 0 end) + reserved_usd
                      + :reserved <= :limit))""";

    private final JdbcClient jdbc;

    SandboxCounters(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A tenant's counter row as it stands.
     *
     * @param active sandboxes not yet {@code DESTROYED} or {@code FAILED}
     * @param reservedUsd what live sandboxes may still cost of their estimates
     * @param spentUsd what the meter has charged in the budget period asked about
     */
    record TenantCounts(int active, BigDecimal reservedUsd, BigDecimal spentUsd) {}

    /**
     * Counts one more sandbox and its reservation if the tenant's limit and budget allow it, in one conditional
     * {@code UPDATE}: the row lock it takes is held only until the caller's transaction commits. Answers whether it
     * counted the sandbox; {@code false} when a limit stood in the way or the tenant has no counter row yet.
     *
     * @param maxActive the parallel limit, or {@code null}
     * @param limitUsd the budget for {@code period}, or {@code null}
     */
    @Transactional(propagation = Propagation.MANDATORY)
    boolean tryAcquire(
            String tenantId,
            @Nullable Integer maxActive,
            @Nullable BigDecimal limitUsd,
            BigDecimal reservedUsd,
            LocalDate period) {
        return countingOne(jdbc.sql(COUNT_ONE), tenantId, maxActive, limitUsd, reservedUsd, period)
                        .update()
                == 1;
    }

    /** Binds the parameters of {@link #COUNT_ONE}, which {@code statement} runs alone or inside a larger one. */
    static JdbcClient.StatementSpec countingOne(
            JdbcClient.StatementSpec statement,
            String tenantId,
            @Nullable Integer maxActive,
            @Nullable BigDecimal limitUsd,
            BigDecimal reservedUsd,
            LocalDate period) {
        return statement
                .param("tenant", tenantId)
                .param("max", maxActive, Types.INTEGER)
                .param("limit", limitUsd, Types.NUMERIC)
                .param("reserved", reservedUsd)
                .param("period", period);
    }

    /** Locks the tenant's counter row until the transaction ends, creating it if needed (snapshot admission). */
    @Transactional(propagation = Propagation.MANDATORY)
    void lockTenant(String tenantId) {
        ensureTenant(tenantId);
        jdbc.sql("select 1 from tenant_counters where tenant_id = :tenant for update")
                .param("tenant", tenantId)
                .query(Integer.class)
                .single();
    }

    /** Creates the tenant's counter row if it has none; answers whether it did. */
    @Transactional(propagation = Propagation.MANDATORY)
    boolean ensureTenant(String tenantId) {
        return jdbc.sql("insert into tenant_counters (tenant_id) values (:tenant) on conflict (tenant_id) do nothing")
                        .param("tenant", tenantId)
                        .update()
                == 1;
    }

    /** The tenant's counters as they stand, with the spend of {@code period}; zeros for a tenant without a row. */
    @Transactional(propagation = Propagation.MANDATORY)
    TenantCounts read(String tenantId, LocalDate period) {
        return jdbc.sql(
                        """
                        select active_sandboxes, reserved_usd,
                               case when spent_period = :period then spent_usd else 0 end
                        from tenant_counters where tenant_id = :tenant""")
                .param("tenant", tenantId)
                .param("period", period)
                .query((rs, row) -> new TenantCounts(rs.getInt(1), rs.getBigDecimal(2), rs.getBigDecimal(3)))
                .optional()
                .orElse(new TenantCounts(0, BigDecimal.ZERO, BigDecimal.ZERO));
    }

    /**
     * Counts one more sandbox for the agent if its limit allows; the caller has counted it for the tenant in this
     * transaction already (tenant row, then agent row: always that order). Answers whether it did.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    boolean tryAcquireAgent(String tenantId, String agentId, @Nullable Integer maxActive) {
        if (maxActive != null && maxActive <= 0) {
            return false;
        }
        return jdbc.sql(
                                """
                        insert into agent_counters (tenant_id, agent_id, active_sandboxes) values (:tenant, :agent, 1)
                        on conflict (tenant_id, agent_id)
                        do update set active_sandboxes = agent_counters.active_sandboxes + 1
                        where cast(:max as integer) is null or agent_counters.active_sandboxes < :max""")
                        .param("tenant", tenantId)
                        .param("agent", agentId)
                        .param("max", maxActive, Types.INTEGER)
                        .update()
                == 1;
    }

    /** The agent's live sandboxes. */
    @Transactional(propagation = Propagation.MANDATORY)
    int agentActive(String tenantId, String agentId) {
        return jdbc.sql("select active_sandboxes from agent_counters where tenant_id = :tenant and agent_id = :agent")
                .param("tenant", tenantId)
                .param("agent", agentId)
                .query(Integer.class)
                .optional()
                .orElse(0);
    }

    /**
     * Gives back the slot and what is left of the reservation of a sandbox that has just become {@code DESTROYED} or
     * {@code FAILED} in this transaction.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void release(String sandboxId) {
        Owner owner = jdbc.sql(
                        """
                        with ended as (
                            update sandboxes s set reserved_usd = 0
                            from sandboxes old_row
                            where s.id = :id and old_row.id = s.id
                            returning old_row.tenant_id, old_row.agent_id, old_row.reserved_usd)
                        update tenant_counters c set active_sandboxes = c.active_sandboxes - 1,
                            reserved_usd = c.reserved_usd - ended.reserved_usd
                        from ended where c.tenant_id = ended.tenant_id
                        returning ended.tenant_id, ended.agent_id""")
                .param("id", sandboxId)
                .query((rs, row) -> new Owner(rs.getString(1), rs.getString(2)))
                .optional()
                .orElse(null);
        if (owner != null && owner.agentId() != null) {
            jdbc.sql(
                            """
                            update agent_counters set active_sandboxes = active_sandboxes - 1
                            where tenant_id = :tenant and agent_id = :agent""")
                    .param("tenant", owner.tenantId())
                    .param("agent", owner.agentId())
                    .update();
        }
    }

    private record Owner(String tenantId, @Nullable String agentId) {}

    /**
     * Adds a metered charge to the tenant's spend for {@code period} and gives back {@code released} of the
     * sandbox's reservation (none for a snapshot), in the meter's transaction. A tenant with something to meter has a
     * counter row (its first create made it); were one missing, the recount job would restore the spend from the
     * ledger.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void charge(
            String tenantId, @Nullable String sandboxId, BigDecimal costUsd, BigDecimal released, LocalDate period) {
        if (sandboxId != null && released.signum() > 0) {
            jdbc.sql("update sandboxes set reserved_usd = reserved_usd - :amount where id = :id")
                    .param("id", sandboxId)
                    .param("amount", released)
                    .update();
        }
        jdbc.sql(
                        """
                        update tenant_counters set reserved_usd = reserved_usd - :released,
                            spent_usd = case when spent_period = :period then spent_usd + :cost else :cost end,
                            spent_period = :period
                        where tenant_id = :tenant""")
                .param("tenant", tenantId)
                .param("released", released)
                .param("cost", costUsd)
                .param("period", period)
                .update();
    }

    /**
     * Sets the tenant's counters to what its sandbox rows say, under the tenant's lock; answers whether they were off.
     */
    @Transactional
    boolean recount(String tenantId, LocalDate period) {
        ensureTenant(tenantId);
        TenantCounts before = jdbc.sql(
                        """
                        select active_sandboxes, reserved_usd,
                               case when spent_period = :period then spent_usd else 0 end
                        from tenant_counters where tenant_id = :tenant for update""")
                .param("tenant", tenantId)
                .param("period", period)
                .query((rs, row) -> new TenantCounts(rs.getInt(1), rs.getBigDecimal(2), rs.getBigDecimal(3)))
                .single();
        BigDecimal spent = jdbc.sql(
                        "select coalesce(sum(spent_usd), 0) from tenant_spend where tenant_id = :tenant and period_start = :period")
                .param("tenant", tenantId)
                .param("period", period)
                .query(BigDecimal.class)
                .single();
        TenantCounts actual = jdbc.sql(
                        """
                        select count(*), coalesce(sum(reserved_usd), 0) from sandboxes
                        where tenant_id = :tenant and state in ('PROVISIONING', 'RUNNING', 'DESTROYING')""")
                .param("tenant", tenantId)
                .query((rs, row) -> new TenantCounts(rs.getInt(1), rs.getBigDecimal(2), spent))
                .single();
        boolean off = before.active() != actual.active()
                || before.reservedUsd().compareTo(actual.reservedUsd()) != 0
                || before.spentUsd().compareTo(actual.spentUsd()) != 0;
        jdbc.sql(
                        """
                        update tenant_counters set active_sandboxes = :active, reserved_usd = :reserved,
                            spent_usd = :spent, spent_period = :period
                        where tenant_id = :tenant""")
                .param("tenant", tenantId)
                .param("active", actual.active())
                .param("reserved", actual.reservedUsd())
                .param("spent", actual.spentUsd())
                .param("period", period)
                .update();
        int agentsFixed = jdbc.sql(
                        """
                        with actual as (
                            select agent_id, count(*) as active from sandboxes
                            where tenant_id = :tenant and agent_id is not null
                              and state in ('PROVISIONING', 'RUNNING', 'DESTROYING')
                            group by agent_id)
                        insert into agent_counters (tenant_id, agent_id, active_sandboxes)
                        select :tenant, a.agent_id, coalesce(actual.active, 0)
                        from (select agent_id from agent_counters where tenant_id = :tenant
                              union select agent_id from actual) a
                        left join actual on actual.agent_id = a.agent_id
                        on conflict (tenant_id, agent_id) do update set active_sandboxes = excluded.active_sandboxes
                        where agent_counters.active_sandboxes <> excluded.active_sandboxes""")
                .param("tenant", tenantId)
                .update();
        jdbc.sql("delete from agent_counters where tenant_id = :tenant and active_sandboxes = 0")
                .param("tenant", tenantId)
                .update();
        return off || agentsFixed > 0;
    }

    /** Tenants that have counters. */
    @Transactional(readOnly = true)
    List<String> tenants() {
        return jdbc.sql("select tenant_id from tenant_counters order by tenant_id")
                .query(String.class)
                .list();
    }
}
