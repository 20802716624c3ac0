-- Cleanup jobs of data in: per-pipeline retention (pipeline-data:retention, daily) and expired
-- Idempotency-Keys (ingest:idempotency-cleanup, hourly).

alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('ingest.idempotency_ttl_hours', 'ingest', 'Idempotency-Key lifetime (hours)', 'A completed Idempotency-Key of the ingest API replays its answer for this long; older keys are deleted hourly and a replay after that stores the batch again', '24', 'integer', '24', 1, 8760, false, false, false, 'performance');
alter table app.system_settings force row level security;

-- pipeline-data:retention enumerates the pipelines that have a retention across
-- organizations here, with the user to act as; the rows are then deleted in tenant
-- transactions as that user, so the storage accounting (private.add_storage_used) and the
-- policies apply as for any delete.
grant select (retention_days) on ingest.pipelines to tessera_definer;
create function private.pipelines_with_retention()
  returns table (pipeline_id uuid, organization_id uuid, retention_days integer, acting_user_id uuid)
  language sql stable security definer set search_path = ''
  as $$
    select p.id, p.organization_id, p.retention_days, private.workflow_actor(p.organization_id, array[p.created_by])
      from ingest.pipelines p
      join app.organizations o on o.id = p.organization_id and o.deleted_at is null
     where p.retention_days is not null
     order by p.organization_id, p.id
$$;

-- Completed keys older than the TTL, and keys left in flight (a request that never finished)
-- older than p_in_flight_before; at most p_limit per call (the caller loops). Keys hold no
-- stored data, only a replayable answer, so this needs no tenant context.
grant select (organization_id, pipeline_id, idempotency_key, status, created_at), delete on ingest.idempotency_keys to tessera_definer;
create function private.cleanup_idempotency_keys(p_completed_before timestamptz, p_in_flight_before timestamptz, p_limit integer)
  returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_deleted integer;
begin
  delete from ingest.idempotency_keys k
   where (k.organization_id, k.pipeline_id, k.idempotency_key) in (
     select x.organization_id, x.pipeline_id, x.idempotency_key
       from ingest.idempotency_keys x
      where (x.status = 'completed' and x.created_at < p_completed_before)
         or (x.status = 'in_flight' and x.created_at < p_in_flight_before)
      limit p_limit);
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

select ops.secure_private_functions();
