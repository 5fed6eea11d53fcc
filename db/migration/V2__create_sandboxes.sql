create table sandboxes (
    id               varchar(40)   primary key,
    tenant_id        varchar(63)   not null references tenants (id),
    agent_id         varchar(128),
    provider         varchar(32)   not null,
    region           varchar(64)   not null,
    state            varchar(16)   not null
        check (state in ('PROVISIONING', 'RUNNING', 'DESTROYING', 'DESTROYED', 'FAILED')),
    image            varchar(512),
    vcpus            integer       not null,
    memory_mib       integer       not null,
    gpu              varchar(64),
    egress_mode      varchar(16)   not null,
    egress_allow     text          not null default '[]',
    labels           text          not null default '{}',
    from_snapshot_id varchar(40),
    provider_ref     varchar(512),
    correlation_id   varchar(128)  not null,
    cost_usd         numeric(18, 6) not null default 0,
    created_at       timestamptz   not null,
    ready_at         timestamptz,
    expires_at       timestamptz   not null,
    ended_at         timestamptz,
    end_reason       varchar(512)
);

create index sandboxes_tenant_listing on sandboxes (tenant_id, created_at desc, id desc);
create index sandboxes_live_expiry on sandboxes (expires_at) where state in ('PROVISIONING', 'RUNNING');

create table snapshots (
    id             varchar(40)   primary key,
    sandbox_id     varchar(40)   not null references sandboxes (id),
    tenant_id      varchar(63)   not null references tenants (id),
    provider       varchar(32)   not null,
    name           varchar(200),
    persistence    varchar(16)   not null,
    state          varchar(16)   not null
        check (state in ('CREATING', 'READY', 'EXPIRED', 'DELETED', 'FAILED')),
    size_bytes     bigint,
    provider_ref   varchar(512),
    correlation_id varchar(128)  not null,
    cost_usd       numeric(18, 6) not null default 0,
    created_at     timestamptz   not null,
    expires_at     timestamptz,
    failure        varchar(512)
);

create index snapshots_tenant_listing on snapshots (tenant_id, created_at desc, id desc);
create index snapshots_live_expiry on snapshots (expires_at) where state = 'READY';

create table execs (
    id             varchar(40)   primary key,
    sandbox_id     varchar(40)   not null references sandboxes (id),
    tenant_id      varchar(63)   not null references tenants (id),
    program        varchar(256)  not null,
    argument_count integer       not null,
    command_sha256 varchar(64)      not null,
    exit_code      integer,
    timed_out      boolean,
    truncated      boolean,
    duration_ms    bigint,
    correlation_id varchar(128)  not null,
    started_at     timestamptz   not null,
    ended_at       timestamptz
);

create index execs_sandbox on execs (sandbox_id, started_at);

create table idempotency_keys (
    tenant_id       varchar(63)  not null references tenants (id),
    idempotency_key varchar(255) not null,
    request_hash    varchar(64)     not null,
    state           varchar(16)  not null check (state in ('IN_FLIGHT', 'DONE')),
    response_status integer,
    response_body   text,
    created_at      timestamptz  not null,
    locked_at       timestamptz  not null,
    primary key (tenant_id, idempotency_key)
);

create index idempotency_keys_created on idempotency_keys (created_at);

create table shedlock (
    name       varchar(64)  primary key,
    lock_until timestamptz  not null,
    locked_at  timestamptz  not null,
    locked_by  varchar(255) not null
);
