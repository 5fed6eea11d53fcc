create table tenants (
    id                varchar(63)  primary key,
    display_name      varchar(200) not null,
    default_provider  varchar(32),
    default_region    varchar(64),
    allowed_providers text         not null default '[]',
    allowed_regions   text         not null default '[]',
    created_at        timestamptz  not null,
    updated_at        timestamptz  not null
);

create table api_keys (
    id           varchar(40)  primary key,
    tenant_id    varchar(63)  references tenants (id),
    role         varchar(16)  not null check (role in ('ADMIN', 'TENANT')),
    name         varchar(200) not null,
    prefix       varchar(32)  not null unique,
    secret_hash  varchar(64)     not null,
    created_at   timestamptz  not null,
    revoked_at   timestamptz,
    constraint api_keys_tenant_role check ((role = 'ADMIN') = (tenant_id is null))
);

create index api_keys_tenant on api_keys (tenant_id, created_at);
