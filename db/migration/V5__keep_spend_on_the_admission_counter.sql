-- Admission checks the budget in the same conditional UPDATE that counts the sandbox, so the period's spend lives on
-- the tenant's counter row too; the meter adds to it in the transaction that writes the ledger (and tenant_spend).
alter table tenant_counters
    add column spent_period date,
    add column spent_usd    numeric(24, 10) not null default 0;

update tenant_counters c
set spent_period = s.period_start, spent_usd = s.spent_usd
from tenant_spend s
where s.tenant_id = c.tenant_id
  and s.period_start = date_trunc('month', now() at time zone 'UTC')::date;
