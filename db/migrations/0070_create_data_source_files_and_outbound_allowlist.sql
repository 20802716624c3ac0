-- Data sources, part 2: uploaded CSV files, the outbound allowlist of safe-fetch, and the
-- cross-tenant enumeration the health-check job needs.

-- safe-fetch refuses loopback, private, link-local and metadata addresses unless listed here
-- (CIDRs, IPs, host or host:port). Self-hosted instances legitimately poll internal hosts.
-- The owner is subject to FORCE ROW LEVEL SECURITY and system_settings has no INSERT policy:
-- lift FORCE for this seed row only, inside this migration's transaction (as 0051 does).
alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, is_public, is_readonly, requires_restart, config_type) values
  ('security.outbound_allowlist', 'security', 'Outbound allowlist',
   'Private, loopback or link-local addresses Tessera may call for HTTP sources and webhooks: CIDRs (10.0.0.0/8), addresses, host or host:port. Everything else private is refused.',
   '[]', 'array', '[]', false, false, false, 'security');
alter table app.system_settings force row level security;

-- An uploaded CSV file of a `csv` data source: the original bytes (bytea is TOAST-compressed)
-- and what parsing found. Pipelines read the rows back through fetchFromSource.
create table app.data_source_files (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  data_source_id uuid not null,
  name varchar(255) not null check (length(name) between 1 and 255),
  size_bytes bigint not null check (size_bytes >= 0),
  sha256 varchar(64) not null,
  row_count integer not null check (row_count >= 0),
  columns jsonb not null default '[]',
  delimiter varchar(1) not null default ',',
  content bytea not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete cascade
);
create index idx_data_source_files_source on app.data_source_files (organization_id, data_source_id, created_at desc);

call ops.apply_tenant_policies('app.data_source_files');

-- The audit log keeps no ciphertext of credentials (a rotated key must retire them).
create or replace function private.audit_redact(p_row jsonb) returns jsonb
  language sql immutable set search_path = ''
  as $$
    select p_row - array['password_hash', 'token_hash', 'refresh_token_hash', 'key_hash', 'two_factor_secret', 'backup_codes',
                         'credentials_encrypted', 'source_config_encrypted', 'sink_config_encrypted', 'webhook_secret_hash']
$$;

-- The health check rewrites health columns every few minutes; only changes people make are audited.
drop trigger audit_changes on app.data_sources;
create trigger audit_changes after insert or delete on app.data_sources for each row execute function private.audit_row_change();
create trigger audit_changes_update after update on app.data_sources for each row
  when ((old.name, old.description, old.type, old.connection_config, old.credentials_encrypted, old.organization_id)
        is distinct from (new.name, new.description, new.type, new.connection_config, new.credentials_encrypted, new.organization_id))
  execute function private.audit_row_change();

-- data-sources:health tests every source of every organization: the one place that
-- enumerates across tenants. It returns ids only; each source is then tested in a tenant
-- transaction as its creator, or as an owner when the creator is gone.
grant select (id, organization_id, created_by, last_health_check) on app.data_sources to tessera_definer;
create function private.data_sources_for_health_check()
  returns table (id uuid, organization_id uuid, acting_user_id uuid)
  language sql stable security definer set search_path = ''
  as $$
    select s.id, s.organization_id,
           coalesce(
             (select m.user_id from app.organization_members m
               where m.organization_id = s.organization_id and m.user_id = s.created_by and m.status = 'active'
                 and m.role in ('owner', 'admin', 'member')),
             (select m.user_id from app.organization_members m
               where m.organization_id = s.organization_id and m.status = 'active' and m.role = 'owner'
               order by m.created_at limit 1))
      from app.data_sources s
     order by s.last_health_check nulls first, s.id
$$;

select ops.secure_private_functions();
