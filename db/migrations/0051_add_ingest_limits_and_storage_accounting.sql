-- Ingest API (issue 3): batch limits, organization storage accounting, and the two narrow
-- SECURITY DEFINER helpers the push paths need.

-- The owner is subject to FORCE ROW LEVEL SECURITY and system_settings has no INSERT policy:
-- lift FORCE for the two seed rows only, inside this migration's transaction.
alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('ingest.max_batch_records', 'ingest', 'Maximum records per ingest batch', 'A push to the ingest API or a webhook with more records is refused with 413', '10000', 'integer', '10000', 1, 1000000, false, false, false, 'performance'),
  ('ingest.max_batch_bytes', 'ingest', 'Maximum ingest batch size (bytes)', 'Largest request body of the ingest API and webhooks, after gzip decompression', '10485760', 'integer', '10485760', 1024, 268435456, false, false, false, 'performance');
alter table app.system_settings force row level security;

-- Fix forward of 0004: storage_used_gb was numeric(12, 3), a granularity of 1 MB, so adding a
-- batch of a few kilobytes rounded to nothing and the counter never moved. Nine decimals keep
-- it to the byte (1e-9 GB is 1.07 bytes).
alter table app.organizations alter column storage_used_gb type numeric(16, 9);

-- Every ingested batch moves storage_used_gb; that is accounting, not a change someone made,
-- so it neither bumps updated_at nor writes an audit row (the batch has its
-- data_ingestion_jobs row).
drop trigger set_updated_at on app.organizations;
create trigger set_updated_at before update on app.organizations for each row
  when ((to_jsonb(old) - 'storage_used_gb' - 'updated_at') is distinct from (to_jsonb(new) - 'storage_used_gb' - 'updated_at'))
  execute function app.set_updated_at();
drop trigger audit_changes on app.organizations;
create trigger audit_changes after insert or delete on app.organizations for each row execute function private.audit_row_change();
create trigger audit_changes_update after update on app.organizations for each row
  when ((to_jsonb(old) - 'storage_used_gb' - 'updated_at') is distinct from (to_jsonb(new) - 'storage_used_gb' - 'updated_at'))
  execute function private.audit_row_change();

grant update (storage_used_gb) on app.organizations to tessera_definer;

-- Adds p_bytes (negative when data is deleted) to the current organization's storage use.
-- The organizations_update policy lets only owners and admins write the row, while members
-- ingest too; so this helper does the one write, for the organization of the request only,
-- and only for a role that may write data. An increment that would pass storage_limit_gb is
-- not applied (ok = false): the check and the increment are one statement, so two
-- concurrent batches can't both slip under the limit. Callers run it last in their
-- transaction, which keeps the organization's row lock short.
create function private.add_storage_used(p_organization_id uuid, p_bytes bigint)
  returns table (ok boolean, used_gb numeric, limit_gb integer)
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  if p_organization_id is distinct from app.current_org_id()
     or coalesce(private.current_org_role(), '') not in ('owner', 'admin', 'member') then
    raise exception 'storage of organization % is not writable in this context', p_organization_id using errcode = '42501';
  end if;
  return query
    update app.organizations o
       set storage_used_gb = greatest(0, o.storage_used_gb + p_bytes / 1073741824.0)
     where o.id = p_organization_id
       and (p_bytes <= 0 or o.storage_limit_gb is null or o.storage_used_gb + p_bytes / 1073741824.0 <= o.storage_limit_gb)
    returning true, o.storage_used_gb, o.storage_limit_gb;
  if not found then
    return query select false, o.storage_used_gb, o.storage_limit_gb from app.organizations o where o.id = p_organization_id;
  end if;
end
$$;

-- The webhook endpoint (POST /api/v1/hooks/{pipelineId}/{secret}) has no user: this finds the
-- realtime pipeline it names, before any tenant context exists. It returns the secret's hash
-- and the encrypted source config (which holds the HMAC secret; only the app can decrypt it)
-- so the caller compares in constant time, and the user the push then acts as: the
-- pipeline's creator while they may still write data, else the organization's first owner.
-- The insert itself then runs as that user under the normal policies, like an API-key push.
grant select (id, organization_id, type, status, webhook_secret_hash, source_config_encrypted, created_by) on ingest.pipelines to tessera_definer;
create function private.pipeline_for_webhook(p_pipeline_id uuid)
  returns table (organization_id uuid, status text, webhook_secret_hash text, source_config_encrypted text, acting_user_id uuid)
  language sql stable security definer set search_path = ''
  as $$
    select p.organization_id, p.status::text, p.webhook_secret_hash::text, p.source_config_encrypted,
           coalesce(
             (select m.user_id from app.organization_members m
               where m.organization_id = p.organization_id and m.user_id = p.created_by and m.status = 'active'
                 and m.role in ('owner', 'admin', 'member')),
             (select m.user_id from app.organization_members m
               where m.organization_id = p.organization_id and m.status = 'active' and m.role = 'owner'
               order by m.created_at, m.user_id limit 1))
      from ingest.pipelines p
      join app.organizations o on o.id = p.organization_id and o.deleted_at is null
     where p.id = p_pipeline_id and p.type = 'realtime' and p.webhook_secret_hash is not null
$$;

select ops.secure_private_functions();
