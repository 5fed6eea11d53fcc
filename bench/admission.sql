-- pgbench script for bench/admission.sh: the SQL of a create's admission transaction, as SandboxManagement.create
-- runs it (Admission.admit, then the sandbox row's insert), on tenant 'pgbench' so the counters don't mix with the
-- HTTP series. Run with -D seq=0: each client numbers its own sandboxes, so ids are unique without a sequence.
\set seq :seq + 1
BEGIN;
-- SandboxCounters.lockTenant: the tenant's counter row, locked until COMMIT
insert into tenant_counters (tenant_id) values ('pgbench')
    on conflict (tenant_id) do update set tenant_id = excluded.tenant_id
    returning active_sandboxes, reserved_usd;
-- UsageLedger.spentInPeriodOf (the tenant has a budget): this month's spend, UTC
select spent_usd from tenant_spend
    where tenant_id = 'pgbench' and period_start = date_trunc('month', now() at time zone 'UTC')::date;
-- SandboxCounters.acquire (no agentId, so no agent_counters row)
update tenant_counters set active_sandboxes = active_sandboxes + 1, reserved_usd = reserved_usd + 0
    where tenant_id = 'pgbench';
-- Sandboxes.save: the PROVISIONING row, every column as Hibernate binds it
insert into sandboxes (id, tenant_id, agent_id, provider, region, state, image, vcpus, memory_mib, gpu, egress_mode,
        egress_allow, labels, from_snapshot_id, provider_ref, correlation_id, cost_usd, reserved_usd, metered_until,
        created_at, ready_at, expires_at, ended_at, end_reason)
    values ('sbx_pgbench_' || :client_id || '_' || :seq, 'pgbench', null, 'local', 'local', 'PROVISIONING', null, 1,
        1024, null, 'DENY_ALL', '[]', '{}', null, null, 'pgbench-' || :client_id || '-' || :seq, 0, 0, null,
        now(), null, now() + interval '1 hour', null, null);
COMMIT;
