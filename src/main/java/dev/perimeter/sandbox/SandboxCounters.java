package dev.perimeter.sandbox;

import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The admission counters: live sandboxes and reserved dollars per tenant, live sandboxes per agent. A create takes the
 * tenant's row lock first, so the creates of one tenant are admitted one at a time on every replica; a sandbox's end
 * gives its slot and reservation back in the transaction that ends it. Every method runs in the caller's transaction.
 * Locks are always taken sandbox row, then tenant row, then agent row.
 */
@Component
class SandboxCounters {

    private final JdbcClient jdbc;

    SandboxCounters(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The tenant's counters, locked until the transaction ends.
     *
     * @param active sandboxes not yet {@code DESTROYED} or {@code FAILED}
     * @param reservedUsd what live sandboxes may still cost of their estimates
     */
    record TenantCounts(int active, BigDecimal reservedUsd) {}

    @Transactional(propagation = Propagation.MANDATORY)
    TenantCounts lockTenant(String tenantId) {
        return jdbc.sql(
                        """
                        insert into tenant_counters (tenant_id) values (:tenant)
                        on conflict (tenant_id) do update set tenant_id = excluded.tenant_id
                        returning active_sandboxes, reserved_usd""")
                .param("tenant", tenantId)
                .query((rs, row) -> new TenantCounts(rs.getInt(1), rs.getBigDecimal(2)))
                .single();
    }

    /** The agent's live sandboxes; the caller holds the tenant's lock. */
    @Transactional(propagation = Propagation.MANDATORY)
    int agentActive(String tenantId, String agentId) {
        return jdbc.sql("select active_sandboxes from agent_counters where tenant_id = :tenant and agent_id = :agent")
                .param("tenant", tenantId)
                .param("agent", agentId)
                .query(Integer.class)
                .optional()
                .orElse(0);
    }

    /** Counts a new sandbox and its reservation; the caller holds the tenant's lock. */
    @Transactional(propagation = Propagation.MANDATORY)
    void acquire(String tenantId, @Nullable String agentId, BigDecimal reservedUsd) {
        jdbc.sql(
                        """
                        update tenant_counters set active_sandboxes = active_sandboxes + 1,
                            reserved_usd = reserved_usd + :reserved
                        where tenant_id = :tenant""")
                .param("tenant", tenantId)
                .param("reserved", reservedUsd)
                .update();
        if (agentId != null) {
            jdbc.sql(
                            """
                            insert into agent_counters (tenant_id, agent_id, active_sandboxes) values (:tenant, :agent, 1)
                            on conflict (tenant_id, agent_id)
                            do update set active_sandboxes = agent_counters.active_sandboxes + 1""")
                    .param("tenant", tenantId)
                    .param("agent", agentId)
                    .update();
        }
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

    /** Gives back part of a live sandbox's reservation as the meter turns it into spend. */
    @Transactional(propagation = Propagation.MANDATORY)
    void releaseReservation(String tenantId, String sandboxId, BigDecimal amount) {
        jdbc.sql("update sandboxes set reserved_usd = reserved_usd - :amount where id = :id")
                .param("id", sandboxId)
                .param("amount", amount)
                .update();
        jdbc.sql("update tenant_counters set reserved_usd = reserved_usd - :amount where tenant_id = :tenant")
                .param("tenant", tenantId)
                .param("amount", amount)
                .update();
    }

    /**
     * Sets the tenant's counters to what its sandbox rows say, under the tenant's lock; answers whether they were off.
     */
    @Transactional
    boolean recount(String tenantId) {
        TenantCounts before = lockTenant(tenantId);
        TenantCounts actual = jdbc.sql(
                        """
                        select count(*), coalesce(sum(reserved_usd), 0) from sandboxes
                        where tenant_id = :tenant and state in ('PROVISIONING', 'RUNNING', 'DESTROYING')""")
                .param("tenant", tenantId)
                .query((rs, row) -> new TenantCounts(rs.getInt(1), rs.getBigDecimal(2)))
                .single();
        boolean off = before.active() != actual.active() || before.reservedUsd().compareTo(actual.reservedUsd()) != 0;
        jdbc.sql(
                        "update tenant_counters set active_sandboxes = :active, reserved_usd = :reserved where tenant_id = :tenant")
                .param("tenant", tenantId)
                .param("active", actual.active())
                .param("reserved", actual.reservedUsd())
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
