-- pgbench script for bench/admission.sh: the SQL of a create's admission, as SandboxManagement.create runs it for a
-- sandbox that names no agent (Admission.admitAtOnce -> SandboxTransitions.insertIfCounted): one statement that counts
-- the sandbox on the tenant's counter row (the parallel limit and the budget in the update's WHERE) and inserts its
-- PROVISIONING row only if it was counted, committed on its own. It runs on tenant 'pgbench' so the counters don't mix
-- with the HTTP series; that tenant has a parallel limit and a budget too high to refuse, as the HTTP tenant does. Run
-- with -D seq=0: each client numbers its own sandboxes, so ids are unique without a sequence.
\set seq :seq + 1
with counted as (
    update tenant_counters set active_sandboxes = active_sandboxes + 1, reserved_usd = reserved_usd + 0
    where tenant_id = 'pgbench'
      and (cast(100000 as integer) is null or active_sandboxes < 100000)
      and (cast(1000000 as numeric) is null or (
          (case when spent_period = date_trunc('month', now() at time zone 'UTC')::date then spent_usd else 0 end)
              < 1000000
          and (case when spent_period = date_trunc('month', now() at time zone 'UTC')::date then spent_usd else 0 end)
              + reserved_usd + 0 <= 1000000))
    returning tenant_id)
insert into sandboxes (id, tenant_id, agent_id, provider, region, state, image, vcpus, memory_mib, gpu, egress_mode,
        egress_allow, labels, from_snapshot_id, provider_ref, correlation_id, cost_usd, reserved_usd, created_at,
        ready_at, expires_at, ended_at, end_reason)
    select 'sbx_pgbench_' || :client_id || '_' || :seq, tenant_id, null, 'local', 'local', 'PROVISIONING', null, 1,
        1024, null, 'DENY_ALL', '[]', '{}', null, null, 'pgbench-' || :client_id || '-' || :seq, 0, 0, now(), null,
        now() + interval '1 hour', null, null
    from counted;
