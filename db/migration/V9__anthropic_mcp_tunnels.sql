-- Anthropic's MCP tunnels: created in Anthropic, recorded here with the route table their tunnel stack serves.
-- Their token lives only in Anthropic (revealed on request), so these rows carry no token hash.
alter table tunnels alter column token_prefix drop not null;
alter table tunnels alter column token_hash drop not null;
alter table tunnels add column anthropic_tunnel_id varchar(64) unique;
alter table tunnels add column domain varchar(253);
alter table tunnels add column routes jsonb not null default '{}'::jsonb;
alter table tunnels add constraint tunnels_backend_credentials check (
    (backend = 'PERIMETER' and token_hash is not null and anthropic_tunnel_id is null)
    or (backend = 'ANTHROPIC' and token_hash is null and anthropic_tunnel_id is not null and domain is not null));
