-- Quotas and budgets are tenant settings; null means unlimited.
alter table tenants
    add column max_parallel_sandboxes           integer check (max_parallel_sandboxes >= 0),
    add column max_parallel_sandboxes_per_agent integer check (max_parallel_sandboxes_per_agent >= 0),
    add column max_sandbox_lifetime_seconds     bigint  check (max_sandbox_lifetime_seconds > 0),
    add column max_vcpus_per_sandbox            integer check (max_vcpus_per_sandbox > 0),
    add column max_memory_mib_per_sandbox       integer check (max_memory_mib_per_sandbox > 0),
    add column max_snapshots                    integer check (max_snapshots >= 0),
    add column budget_limit_usd                 numeric(20, 6) check (budget_limit_usd >= 0),
    add column budget_period                    varchar(16) check (budget_period in ('MONTHLY')),
    add column budget_on_exhausted              varchar(16) check (budget_on_exhausted in ('DENY_NEW', 'STOP_RUNNING')),
    add constraint tenants_budget_complete check (
        (budget_limit_usd is null) = (budget_period is null)
        and (budget_limit_usd is null) = (budget_on_exhausted is null));

-- Admission counters. Every create increments them in the transaction that inserts the PROVISIONING row, and every
-- move to DESTROYED or FAILED decrements them in the transaction that moves the row, so they equal the live rows;
-- the recount job repairs them if anything else ever touches them.
create table tenant_counters (
    tenant_id        varchar(63)     primary key references tenants (id),
    active_sandboxes integer         not null default 0,
    reserved_usd     numeric(24, 10) not null default 0
);

insert into tenant_counters (tenant_id, active_sandboxes)
select t.id, (select count(*) from sandboxes s
              where s.tenant_id = t.id and s.state in ('PROVISIONING', 'RUNNING', 'DESTROYING'))
from tenants t;

create table agent_counters (
    tenant_id        varchar(63)  not null references tenants (id),
    agent_id         varchar(128) not null,
    active_sandboxes integer      not null default 0,
    primary key (tenant_id, agent_id)
);

insert into agent_counters (tenant_id, agent_id, active_sandboxes)
select tenant_id, agent_id, count(*) from sandboxes
where agent_id is not null and state in ('PROVISIONING', 'RUNNING', 'DESTROYING')
group by tenant_id, agent_id;

-- reserved_usd: what is still set aside of the create's estimate; metered_until: how far the meter has billed it.
alter table sandboxes
    add column reserved_usd  numeric(24, 10) not null default 0,
    add column metered_until timestamptz,
    alter column cost_usd type numeric(24, 10);

create index sandboxes_meter on sandboxes (metered_until) where ready_at is not null;
create index sandboxes_tenant_live on sandboxes (tenant_id) where state in ('PROVISIONING', 'RUNNING', 'DESTROYING');

alter table snapshots
    add column metered_until timestamptz,
    alter column cost_usd type numeric(24, 10);

-- List prices per provider, in USD. Admins change them with PUT /v1/pricing/{provider}.
create table prices (
    provider              varchar(32)     primary key,
    vcpu_second_usd       numeric(20, 12) not null check (vcpu_second_usd >= 0),
    memory_gib_second_usd numeric(20, 12) not null check (memory_gib_second_usd >= 0),
    gpu_second_usd        numeric(20, 12) not null check (gpu_second_usd >= 0),
    per_create_usd        numeric(20, 12) not null check (per_create_usd >= 0),
    snapshot_gb_month_usd numeric(20, 12) not null check (snapshot_gb_month_usd >= 0),
    source                varchar(512),
    updated_at            timestamptz     not null
);

-- local and kubernetes run on the platform team's own hosts: no list price; set one to charge back.
insert into prices values ('local', 0, 0, 0, 0, 0, 'self-hosted: no list price', now());
insert into prices values ('kubernetes', 0, 0, 0, 0, 0, 'self-hosted: no list price', now());
-- Daytona publishes no price list (https://daytona.io/docs/sandbox-persistence says only "every resource is charged
-- per second"); a third-party comparison claims parity with E2B, whose list price is used:
-- https://particula.tech/blog/modal-vs-e2b-vs-daytona-vs-vercel-sandbox-ai-code-execution and
-- https://e2b.dev/docs/faq/calculate-sandbox-price ($0.000014 per vCPU-second, $0.0000045 per GiB-second).
insert into prices values ('daytona', 0.000014, 0.0000045, 0, 0, 0,
    'E2B list price (Daytona claims parity; no primary list)', now());
-- Vercel Sandbox, https://vercel.com/docs/vercel-sandbox/pricing: active CPU $0.128/hour, provisioned memory
-- $0.0106/GB-hour, creations $0.60 per million, storage $0.08/GB-month. (A later mirror of that page shows
-- $0.0212/GB-hour for memory; the vendor's own copy is used. CPU is billed on active time; Perimeter meters
-- provisioned time, so its figure is an upper bound.)
insert into prices values ('vercel', 0.000035555556, 0.000002944444, 0, 0.0000006, 0.08,
    'https://vercel.com/docs/vercel-sandbox/pricing', now());
-- Cloudflare Containers, containers/platform/pricing.mdx: $0.000020 per vCPU-second (active), memory $0.0000025 per
-- GiB-second; container snapshots have no separate price.
insert into prices values ('cloudflare', 0.000020, 0.0000025, 0, 0, 0,
    'https://developers.cloudflare.com/containers/pricing/', now());
-- Modal, https://modal.com/pricing as summarised by https://finops.apis.io/finops/modal/modal-finops/: $0.0000131
-- per physical core-second (2 vCPU per core, so $0.00000655 per vCPU-second), $0.00000222 per GiB-second. GPU
-- prices depend on the GPU type: set gpuSecondUsd for the type you use.
insert into prices values ('modal', 0.00000655, 0.00000222, 0, 0, 0,
    'https://modal.com/pricing (third-party summary)', now());

-- The usage ledger: one row per metered interval; its sum is what a tenant spent.
create table usage_ledger (
    id                 bigint generated always as identity primary key,
    tenant_id          varchar(63)     not null references tenants (id),
    provider           varchar(32)     not null,
    kind               varchar(20)     not null check (kind in ('CREATE', 'RUNTIME', 'SNAPSHOT_STORAGE')),
    sandbox_id         varchar(40),
    snapshot_id        varchar(40),
    period_start       date            not null,
    from_at            timestamptz     not null,
    to_at              timestamptz     not null,
    sandbox_seconds    numeric(20, 6)  not null default 0,
    vcpu_seconds       numeric(20, 6)  not null default 0,
    memory_gib_seconds numeric(20, 6)  not null default 0,
    gpu_seconds        numeric(20, 6)  not null default 0,
    cost_usd           numeric(24, 10) not null check (cost_usd >= 0),
    recorded_at        timestamptz     not null
);

create index usage_ledger_tenant_time on usage_ledger (tenant_id, to_at);

-- Running total of the ledger per tenant and budget period, kept in the transaction that writes the ledger.
create table tenant_spend (
    tenant_id    varchar(63)     not null references tenants (id),
    period_start date            not null,
    spent_usd    numeric(24, 10) not null default 0,
    primary key (tenant_id, period_start)
);
