-- Signed embeds (issue 5, sharing): an HMAC-SHA256 signing key per organization, created on
-- first use. A rotation adds the next version and deletes the older ones, which invalidates
-- every embed URL signed before: the current key is the highest version. The 32 random bytes
-- are sealed by the app (AES-256-GCM, the SecretBox of src/platform/crypto.ts, bound to the
-- organization and key version), so the database never holds a key in clear. key_version is
-- signed into every embed token: a token of another version is refused.

create table app.embed_signing_keys (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  key_version integer not null check (key_version >= 1),
  sealed_key text not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (organization_id, key_version)
);
create trigger audit_changes after insert or update or delete on app.embed_signing_keys for each row execute function private.audit_row_change();
call ops.apply_tenant_policies('app.embed_signing_keys');

-- Sealed keys and public link hashes stay out of the audit log like the other secrets (0070).
create or replace function private.audit_redact(p_row jsonb) returns jsonb
  language sql immutable set search_path = ''
  as $$
    select p_row - array['password_hash', 'token_hash', 'refresh_token_hash', 'key_hash', 'two_factor_secret', 'backup_codes',
                         'credentials_encrypted', 'source_config_encrypted', 'sink_config_encrypted', 'webhook_secret_hash',
                         'sealed_key', 'public_token_hash']
$$;

-- An embed request has no user: the signature is checked with the organization's key before
-- anything else is read. The key stays sealed; only the app can open it.
grant select on app.embed_signing_keys to tessera_definer;
create function private.embed_signing_key(p_organization_id uuid)
  returns table (key_version integer, sealed_key text)
  language sql stable security definer set search_path = ''
  as $$
    select k.key_version, k.sealed_key
      from app.embed_signing_keys k
      join app.organizations o on o.id = k.organization_id and o.deleted_at is null
     where k.organization_id = p_organization_id
     order by k.key_version desc
     limit 1
$$;

-- After a valid signature: whether the signed dashboard is still live, and as whom its data is
-- read (the creator while an active member with an active account, else an active owner), as
-- private.public_dashboard_by_token (0240) answers for public links.
create function private.embed_dashboard_target(p_organization_id uuid, p_dashboard_id uuid)
  returns table (organization_id uuid, dashboard_id uuid, creator_id uuid, owner_id uuid)
  language sql stable security definer set search_path = ''
  as $$
    select d.organization_id, d.id,
           (select m.user_id
              from app.organization_members m join auth.users u on u.id = m.user_id
             where m.organization_id = d.organization_id and m.user_id = d.created_by
               and m.status = 'active' and u.is_active),
           (select m.user_id
              from app.organization_members m join auth.users u on u.id = m.user_id
             where m.organization_id = d.organization_id and m.role = 'owner'
               and m.status = 'active' and u.is_active
             order by m.joined_at nulls last, m.created_at, m.user_id
             limit 1)
      from app.dashboards d
      join app.organizations o on o.id = d.organization_id and o.deleted_at is null
     where d.organization_id = p_organization_id
       and d.id = p_dashboard_id
       and d.deleted_at is null
$$;

select ops.secure_private_functions();
