-- Jobs discipline (issue 4): how far ahead partitions:maintain creates partitions, and the
-- hourly expiry of the metric points API's Idempotency-Keys (metrics:idempotency-cleanup).

-- The owner is subject to FORCE ROW LEVEL SECURITY and system_settings has no INSERT policy:
-- lift FORCE for these rows only, inside this migration's transaction.
alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('partitions.days_ahead', 'storage', 'Daily partitions ahead (days)', 'How many days ahead the worker creates the daily partitions of pipeline data and metric points (hourly); metric points are accepted up to the end of the newest one', '7', 'integer', '7', 1, 90, false, false, false, 'performance'),
  ('partitions.months_ahead', 'storage', 'Monthly partitions ahead (months)', 'How many months ahead the worker creates the monthly partitions of the audit log (hourly)', '3', 'integer', '3', 1, 24, false, false, false, 'performance');
-- The keys of the metric points API expire with the same lifetime as the ingest API's.
update app.system_settings
   set setting_description = 'A completed Idempotency-Key of the ingest API or of the metric points API replays its answer for this long; older keys are deleted hourly and a replay after that stores the batch again'
 where setting_key = 'ingest.idempotency_ttl_hours';
alter table app.system_settings force row level security;

-- Keys of the metric points API created before p_before, at most p_limit per call (the caller
-- loops). SECURITY DEFINER: one pass across organizations, which the runtime role cannot make
-- under Row-Level Security; a key holds no stored data, only a replayable answer (as
-- private.cleanup_idempotency_keys of 0092 for the ingest API's keys).
grant select (organization_id, scope, idempotency_key, created_at), delete on ts.metric_idempotency_keys to tessera_definer;
create function private.cleanup_metric_idempotency_keys(p_before timestamptz, p_limit integer)
  returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_deleted integer;
begin
  delete from ts.metric_idempotency_keys k
   where (k.organization_id, k.scope, k.idempotency_key) in (
     select x.organization_id, x.scope, x.idempotency_key
       from ts.metric_idempotency_keys x
      where x.created_at < p_before
      order by x.created_at
      limit p_limit);
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

select ops.secure_private_functions();
