-- MCP tunnels: a private MCP server reached through an agent that dials out to Perimeter.
alter table tenants add column max_tunnels integer check (max_tunnels >= 0);

create table tunnels (
    id               varchar(40)   primary key,
    tenant_id        varchar(63)   not null references tenants (id),
    name             varchar(200)  not null,
    region           varchar(64)   not null,
    backend          varchar(16)   not null check (backend in ('PERIMETER', 'ANTHROPIC')),
    upstream         varchar(2048),
    token_prefix     varchar(32)   not null unique,
    token_hash       varchar(64)   not null,
    token_generation integer       not null default 1,
    correlation_id   varchar(128)  not null,
    created_at       timestamptz   not null,
    token_rotated_at timestamptz,
    last_seen_at     timestamptz,
    archived_at      timestamptz
);

create index tunnels_tenant on tunnels (tenant_id, created_at);

-- One row per live agent connection, on the replica that holds it: the database says where to forward a call.
create table tunnel_connections (
    id               varchar(40)  primary key,
    tunnel_id        varchar(40)  not null references tunnels (id),
    replica_id       varchar(64)  not null,
    replica_url      varchar(512) not null,
    token_generation integer      not null,
    connected_at     timestamptz  not null,
    last_seen_at     timestamptz  not null
);

create index tunnel_connections_tunnel on tunnel_connections (tunnel_id, last_seen_at);
create index tunnel_connections_replica on tunnel_connections (replica_id);
