-- SECURITY DEFINER helpers. They run as tessera_definer (BYPASSRLS, owns no table), so
-- each one is narrow: it answers one question a policy or a pre-authentication flow
-- needs (who is signing in, which session a token is) and nothing more.
-- Every one pins search_path = '' and is executable by tessera_runtime only.

create function private.is_instance_admin() returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return exists (
    select 1
      from auth.user_roles ur
      join auth.roles r on r.id = ur.role_id
      join auth.users u on u.id = ur.user_id
     where ur.user_id = app.current_user_id()
       and r.name = 'instance_admin'
       and u.status = 'active'
       and (ur.expires_at is null or ur.expires_at > now()));
end
$$;

-- Role of the current user in the current organization (NULL when not an active member).
create function private.current_org_role() returns text
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return (
    select m.role
      from app.organization_members m
      join app.organizations o on o.id = m.organization_id
     where m.organization_id = app.current_org_id()
       and m.user_id = app.current_user_id()
       and m.status = 'active'
       and o.deleted_at is null);
end
$$;

create function private.org_role(p_organization_id uuid) returns text
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return (
    select m.role
      from app.organization_members m
     where m.organization_id = p_organization_id
       and m.user_id = app.current_user_id()
       and m.status = 'active');
end
$$;

create function private.member_org_ids() returns setof uuid
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select m.organization_id
      from app.organization_members m
     where m.user_id = app.current_user_id()
       and m.status in ('active', 'pending');
end
$$;

-- Users who share an active organization with the current user (seed 003: users see
-- themselves and the members of their organizations).
create function private.org_peer_ids() returns setof uuid
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select distinct peer.user_id
      from app.organization_members mine
      join app.organization_members peer on peer.organization_id = mine.organization_id
     where mine.user_id = app.current_user_id()
       and mine.status = 'active';
end
$$;

create function private.user_for_login(p_email text)
  returns table (id uuid, email text, password_hash text, status text, locked_until timestamptz,
                 failed_login_attempts integer, two_factor_enabled boolean)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select u.id, u.email::text, u.password_hash::text, u.status::text, u.locked_until, u.failed_login_attempts, u.two_factor_enabled
      from auth.users u
     where u.email operator(public.=) p_email::public.citext
       and u.deleted_at is null;
end
$$;

-- Counts a failed password and locks the account for p_lock_minutes once p_max_attempts
-- is reached. The lock always expires; the counter restarts after it.
create function private.record_login_failure(p_user_id uuid, p_max_attempts integer, p_lock_minutes integer)
  returns timestamptz
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_locked timestamptz;
begin
  update auth.users
     set failed_login_attempts = case when locked_until is not null and locked_until <= now() then 1 else failed_login_attempts + 1 end,
         locked_until = case
           when (case when locked_until is not null and locked_until <= now() then 1 else failed_login_attempts + 1 end) >= p_max_attempts
             then now() + make_interval(mins => p_lock_minutes)
           when locked_until is not null and locked_until <= now() then null
           else locked_until end
   where id = p_user_id
  returning locked_until into v_locked;
  return v_locked;
end
$$;

create function private.session_by_token(p_token_hash text)
  returns table (session_id uuid, user_id uuid, expires_at timestamptz, absolute_expires_at timestamptz,
                 last_activity_at timestamptz, mfa_verified boolean, is_active boolean, user_status text)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select s.id, s.user_id, s.expires_at, s.absolute_expires_at, s.last_activity_at, s.mfa_verified, s.is_active, u.status::text
      from auth.sessions s
      join auth.users u on u.id = s.user_id
     where s.token_hash = p_token_hash
       and u.deleted_at is null;
end
$$;

create function private.api_key_by_hash(p_key_hash text)
  returns table (id uuid, organization_id uuid, user_id uuid, scopes text[], expires_at timestamptz,
                 revoked_at timestamptz, user_status text)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select k.id, k.organization_id, k.user_id, k.scopes, k.expires_at, k.revoked_at, u.status::text
      from auth.api_keys k
      join auth.users u on u.id = k.user_id
     where k.key_hash = p_key_hash;
end
$$;

create function private.touch_api_key(p_key_id uuid, p_ip inet) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  -- At most one write per key per minute: the hot ingest path must not serialize on this row.
  update auth.api_keys set last_used_at = now(), last_used_ip = p_ip
   where id = p_key_id and (last_used_at is null or last_used_at < now() - interval '1 minute');
end
$$;

create function private.setup_required() returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return not exists (
    select 1 from auth.user_roles ur join auth.roles r on r.id = ur.role_id join auth.users u on u.id = ur.user_id
     where r.name = 'instance_admin' and u.status = 'active' and u.deleted_at is null);
end
$$;

create function private.email_registered(p_email text) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return exists (select 1 from auth.users where email operator(public.=) p_email::public.citext);
end
$$;

-- Makes the current user the first instance administrator. Returns false when an
-- administrator already exists (setup is one-time); the advisory lock serializes two
-- first visitors racing each other.
create function private.complete_setup(p_setup_token_hash text) returns boolean
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_expected text;
begin
  perform pg_advisory_xact_lock(727274003);
  if not private.setup_required() then
    return false;
  end if;
  select token_hash into v_expected from ops.instance_setup where id = 1;
  if v_expected is not null and v_expected is distinct from p_setup_token_hash then
    raise exception 'setup token does not match' using errcode = '28P01';
  end if;
  insert into auth.user_roles (user_id, role_id, granted_by)
    select app.current_user_id(), r.id, app.current_user_id() from auth.roles r where r.name = 'instance_admin'
  on conflict (user_id, role_id) do nothing;
  -- The setup secret is destroyed once used.
  update ops.instance_setup set token_hash = null, completed_at = now(), completed_by = app.current_user_id() where id = 1;
  return true;
end
$$;

-- Operator path (`tessera user create --admin`): callable by the owner role only.
create function private.grant_instance_admin(p_user_id uuid) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  insert into auth.user_roles (user_id, role_id)
    select p_user_id, r.id from auth.roles r where r.name = 'instance_admin'
  on conflict (user_id, role_id) do nothing;
  update ops.instance_setup set token_hash = null, completed_at = coalesce(completed_at, now()) where id = 1;
end
$$;

create function private.password_reset_target(p_email text) returns table (user_id uuid, display_name text, email text)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select u.id, u.display_name::text, u.email::text from auth.users u
     where u.email operator(public.=) p_email::public.citext and u.status = 'active' and u.deleted_at is null;
end
$$;

create function private.create_password_reset(p_user_id uuid, p_token_hash text, p_expires_at timestamptz) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  -- A new link supersedes older unused ones.
  update auth.password_reset_tokens set used_at = now() where user_id = p_user_id and used_at is null;
  insert into auth.password_reset_tokens (user_id, token_hash, expires_at) values (p_user_id, p_token_hash, p_expires_at);
end
$$;

-- Single use under concurrency: the conditional UPDATE lets exactly one caller win.
create function private.consume_password_reset(p_token_hash text) returns uuid
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_user uuid;
begin
  update auth.password_reset_tokens
     set used_at = now()
   where token_hash = p_token_hash and used_at is null and expires_at > now()
  returning user_id into v_user;
  return v_user;
end
$$;

create function private.consume_email_verification(p_token_hash text) returns table (user_id uuid, email text)
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  return query
    update auth.email_verification_tokens t
       set verified_at = now()
     where t.token_hash = p_token_hash and t.verified_at is null and t.expires_at > now()
    returning t.user_id, t.email::text;
end
$$;

create function private.invitation_by_token(p_token_hash text)
  returns table (id uuid, organization_id uuid, organization_name text, email text, role text,
                 expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select i.id, i.organization_id, o.name::text, i.email::text, i.role::text, i.expires_at, i.accepted_at, i.revoked_at
      from app.invitations i
      join app.organizations o on o.id = i.organization_id
     where i.token_hash = p_token_hash and o.deleted_at is null;
end
$$;

-- The current user accepts an invitation addressed to their email address.
create function private.accept_invitation(p_token_hash text) returns uuid
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_inv record;
  v_email text;
begin
  select * into v_inv from app.invitations
   where token_hash = p_token_hash and accepted_at is null and revoked_at is null and expires_at > now()
   for update;
  if not found then
    raise exception 'invitation not found, expired or already used' using errcode = 'P0002';
  end if;
  select email::text into v_email from auth.users where id = app.current_user_id() and status = 'active';
  if v_email is null or lower(v_email) <> lower(v_inv.email::text) then
    raise exception 'invitation was sent to a different email address' using errcode = '42501';
  end if;
  insert into app.organization_members (organization_id, user_id, role, invited_by, invited_at, joined_at, status)
  values (v_inv.organization_id, app.current_user_id(), v_inv.role, v_inv.invited_by, v_inv.created_at, now(), 'active')
  on conflict (organization_id, user_id) do update
    set status = 'active', joined_at = coalesce(app.organization_members.joined_at, now()),
        role = case when app.organization_members.status = 'active' then app.organization_members.role else excluded.role end;
  update app.invitations set accepted_at = now(), accepted_by = app.current_user_id() where id = v_inv.id;
  return v_inv.organization_id;
end
$$;

-- Creates an organization with the current user as its owner in one step: the policies
-- only show an organization to its members, so the membership must exist with it.
create function private.create_organization(p_name text, p_slug text, p_description text) returns uuid
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_org uuid;
begin
  if app.current_user_id() is null then
    raise exception 'no current user' using errcode = '42501';
  end if;
  insert into app.organizations (name, slug, description, created_by)
  values (p_name, p_slug, p_description, app.current_user_id())
  returning id into v_org;
  insert into app.organization_members (organization_id, user_id, role, joined_at, status)
  values (v_org, app.current_user_id(), 'owner', now(), 'active');
  return v_org;
end
$$;

-- Values the server needs before anyone is signed in (session timeouts, lockout policy).
create function private.runtime_settings() returns table (setting_key text, setting_value text, setting_type text)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select s.setting_key::text, s.setting_value, s.setting_type::text
      from app.system_settings s
     where s.is_sensitive = false
       and s.environment in ('all', coalesce(nullif(current_setting('app.environment', true), ''), 'development'));
end
$$;

-- Expired sessions and used or expired tokens are removed across all users: a system job.
create function private.cleanup_expired_auth() returns table (kind text, deleted bigint)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  n bigint;
begin
  delete from auth.sessions where expires_at < now() - interval '1 day' or absolute_expires_at < now() - interval '1 day'
     or (is_active = false and coalesce(invalidated_at, created_at) < now() - interval '7 days');
  get diagnostics n = row_count;
  kind := 'sessions'; deleted := n; return next;
  delete from auth.password_reset_tokens where expires_at < now() - interval '1 day';
  get diagnostics n = row_count;
  kind := 'password_reset_tokens'; deleted := n; return next;
  delete from auth.email_verification_tokens where expires_at < now() - interval '1 day';
  get diagnostics n = row_count;
  kind := 'email_verification_tokens'; deleted := n; return next;
  delete from app.invitations where expires_at < now() - interval '30 days' and accepted_at is null;
  get diagnostics n = row_count;
  kind := 'invitations'; deleted := n; return next;
end
$$;
