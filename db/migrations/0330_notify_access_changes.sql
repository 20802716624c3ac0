-- Changes to who may see what are announced on the channel tessera_auth_invalidate, so every
-- server process drops what its short-lived access caches hold about them (signed-in
-- sessions and API keys by user, organization roles and dashboard access by organization;
-- src/platform/auth-cache.ts). pg_notify inside the writing transaction is delivered only
-- at commit, and identical payloads within one transaction are delivered once, so a bulk
-- change sends one notification per user or organization.
-- Trigger arguments: the payload key (user or org) and the column holding its id.
create function private.notify_access_change() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
declare
  v_new jsonb := case when tg_op = 'DELETE' then null else to_jsonb(new) end;
  v_old jsonb := case when tg_op = 'INSERT' then null else to_jsonb(old) end;
begin
  if v_new is not null then
    perform pg_notify('tessera_auth_invalidate', json_build_object(tg_argv[0], v_new ->> tg_argv[1])::text);
  end if;
  if v_old is not null and (v_old ->> tg_argv[1]) is distinct from (v_new ->> tg_argv[1]) then
    perform pg_notify('tessera_auth_invalidate', json_build_object(tg_argv[0], v_old ->> tg_argv[1])::text);
  end if;
  return null;
end
$$;

-- Sessions: revocation, sign-out, a shorter expiry, a finished 2FA step. Sliding the idle
-- expiry forward (every minute of use) is not announced: a cached copy only errs shorter.
create trigger notify_access_change after update on auth.sessions for each row
  when (old.is_active is distinct from new.is_active or old.mfa_verified is distinct from new.mfa_verified
        or old.token_hash is distinct from new.token_hash or old.user_id is distinct from new.user_id
        or old.invalidated_at is distinct from new.invalidated_at
        or new.expires_at < old.expires_at or new.absolute_expires_at < old.absolute_expires_at)
  execute function private.notify_access_change('user', 'user_id');
create trigger notify_access_removal after delete on auth.sessions for each row
  execute function private.notify_access_change('user', 'user_id');

-- Users: suspension, deletion, a new password, two-factor turned on or off.
create trigger notify_access_change after update on auth.users for each row
  when (old.status is distinct from new.status or old.deleted_at is distinct from new.deleted_at
        or old.password_hash is distinct from new.password_hash or old.two_factor_enabled is distinct from new.two_factor_enabled)
  execute function private.notify_access_change('user', 'id');
create trigger notify_access_removal after delete on auth.users for each row
  execute function private.notify_access_change('user', 'id');

-- API keys: revocation, expiry, scopes. Recording a key's use (last_used_at) is not announced.
create trigger notify_access_change after update on auth.api_keys for each row
  when (old.revoked_at is distinct from new.revoked_at or old.expires_at is distinct from new.expires_at
        or old.scopes is distinct from new.scopes or old.key_hash is distinct from new.key_hash
        or old.user_id is distinct from new.user_id or old.organization_id is distinct from new.organization_id)
  execute function private.notify_access_change('user', 'user_id');
create trigger notify_access_removal after delete on auth.api_keys for each row
  execute function private.notify_access_change('user', 'user_id');

-- Organizations and their members, teams and dashboard permissions.
create trigger notify_access_change after update on app.organizations for each row
  when (old.deleted_at is distinct from new.deleted_at)
  execute function private.notify_access_change('org', 'id');
create trigger notify_access_removal after delete on app.organizations for each row
  execute function private.notify_access_change('org', 'id');
create trigger notify_access_change after insert or update or delete on app.organization_members for each row
  execute function private.notify_access_change('org', 'organization_id');
create trigger notify_access_change after insert or update or delete on app.team_members for each row
  execute function private.notify_access_change('org', 'organization_id');
create trigger notify_access_change after insert or update or delete on app.dashboard_permissions for each row
  execute function private.notify_access_change('org', 'organization_id');

-- Dashboards: an edit (updated_at is part of the cached answer's key), deletion or restore, a
-- new creator. Counting a view is not announced.
create trigger notify_access_change after update on app.dashboards for each row
  when (old.updated_at is distinct from new.updated_at or old.deleted_at is distinct from new.deleted_at
        or old.created_by is distinct from new.created_by)
  execute function private.notify_access_change('org', 'organization_id');
create trigger notify_access_removal after delete on app.dashboards for each row
  execute function private.notify_access_change('org', 'organization_id');

select ops.secure_private_functions();
