-- Claude Managed Agents connector: which Anthropic self-hosted environment a tenant's sandboxes serve, and one row per
-- work item taken from that environment's queue. The environment key is never stored: only a reference to where it is
-- (env:NAME or file:/path), resolved at each use.
create table anthropic_environments (
    id                  varchar(40)  primary key,
    tenant_id           varchar(63)  not null references tenants (id),
    environment_id      varchar(128) not null,
    environment_key_ref varchar(4100) not null,
    provider            varchar(63),
    region              varchar(63),
    image               varchar(512),
    vcpus               integer,
    memory_mib          integer,
    lifetime_seconds    bigint,
    egress_mode         varchar(16)  not null,
    worker_command      text         not null,
    status              varchar(16)  not null check (status in ('ACTIVE', 'DELETED')),
    created_at          timestamptz  not null,
    deleted_at          timestamptz,
    last_polled_at      timestamptz,
    last_error          varchar(500)
);

-- One live binding per Anthropic environment: two would race for the same queue.
create unique index anthropic_environments_live on anthropic_environments (environment_id) where status = 'ACTIVE';
create index anthropic_environments_by_tenant on anthropic_environments (tenant_id, created_at desc, id desc);

-- The link between an Anthropic session, its work item and the sandbox that runs it. The row is written before the
-- sandbox is created; work_id is unique, so a redelivered item finds its row instead of a second sandbox.
create table anthropic_sessions (
    id             varchar(40)  primary key,
    binding_id     varchar(40)  not null references anthropic_environments (id),
    tenant_id      varchar(63)  not null references tenants (id),
    environment_id varchar(128) not null,
    work_id        varchar(128) not null unique,
    session_id     varchar(128) not null,
    sandbox_id     varchar(40),
    state          varchar(16)  not null
        check (state in ('PENDING', 'WAITING', 'PROVISIONING', 'RUNNING', 'ENDED', 'FAILED')),
    reason         varchar(500),
    claimed_by     varchar(64),
    claimed_at     timestamptz,
    correlation_id varchar(128) not null,
    created_at     timestamptz  not null,
    started_at     timestamptz,
    ended_at       timestamptz
);

create index anthropic_sessions_by_tenant on anthropic_sessions (tenant_id, created_at desc, id desc);
create index anthropic_sessions_by_state on anthropic_sessions (state, created_at desc, id desc);
create index anthropic_sessions_running on anthropic_sessions (binding_id) where state = 'RUNNING';
