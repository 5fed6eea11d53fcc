-- The Cloudflare sandbox bridge has no list endpoint and keeps no workspace archive: the cloudflare provider records
-- here which bridge sandboxes it asked for (for the orphan reconciler and an honest status) and the tar archives of
-- its snapshots (the bridge's persist hands them back).
create table cloudflare_sandboxes (
    bridge_id  text primary key,
    sandbox_id text        not null,
    created_at timestamptz not null default now()
);

create table cloudflare_snapshots (
    snapshot_ref text primary key,
    archive      bytea       not null,
    size_bytes   bigint      not null,
    created_at   timestamptz not null default now()
);
