-- The audit trail: one append-only row per admin change, lifecycle call and tunnel/connector event. Rows are never
-- updated; only the retention job deletes, and only rows past the retention period (it sets
-- perimeter.audit_retention for its own transaction, which the trigger below checks).
create table audit_events (
    id             text        primary key,
    at             timestamptz not null default clock_timestamp(),
    actor          text        not null,
    tenant_id      text,
    action         text        not null,
    target_id      text,
    correlation_id text        not null,
    outcome        text        not null check (outcome in ('SUCCESS', 'DENIED', 'REJECTED', 'FAILED')),
    details        jsonb       not null default '{}'::jsonb
);

create index audit_events_by_time on audit_events (at desc, id desc);
create index audit_events_by_tenant on audit_events (tenant_id, at desc, id desc);
create index audit_events_by_action on audit_events (action, at desc, id desc);

create function audit_events_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and current_setting('perimeter.audit_retention', true) = 'on' then
        return old;
    end if;
    raise exception 'audit_events is append-only (% refused)', tg_op;
end;
$$;

create trigger audit_events_append_only
    before update or delete on audit_events
    for each row execute function audit_events_append_only();

create trigger audit_events_no_truncate
    before truncate on audit_events
    for each statement execute function audit_events_append_only();
