-- Organization membership and API key management (modules organizations, teams, api-keys).

-- Adding a member by email must know whether an active account has that address, but the
-- users policy hides everyone outside the caller's organizations. Only an owner or admin
-- of the request's organization may ask, and the answer is an id, nothing else.
create function private.active_user_id_by_email(p_email text) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  v_role text := private.current_org_role();
begin
  if v_role is null or v_role not in ('owner', 'admin') then
    raise exception 'only owners and admins of the current organization may look up users' using errcode = '42501';
  end if;
  return (
    select u.id from auth.users u
     where u.email operator(public.=) p_email::public.citext
       and u.status = 'active'
       and u.deleted_at is null);
end
$$;

-- 0004 let an admin rewrite an owner's row as long as the new row was not an owner, so an
-- admin could demote or suspend an owner. Admins now only touch non-owner rows.
drop policy organization_members_update on app.organization_members;
create policy organization_members_update on app.organization_members for update
  using (organization_id = (select app.current_org_id())
         and ((select private.current_org_role()) = 'owner'
              or ((select private.current_org_role()) = 'admin' and role <> 'owner')))
  with check (organization_id = (select app.current_org_id())
              and ((select private.current_org_role()) = 'owner'
                   or ((select private.current_org_role()) = 'admin' and role <> 'owner')));

-- 0004's single FOR ALL policy applied `user_id = current user` to updates too, so an admin
-- could not revoke a key another admin created. Keys are still created only for oneself;
-- owners and admins revoke any key of their organization, and a member can only revoke their
-- own keys (leaving an organization revokes the keys one created there; a demoted admin's
-- keys stay theirs).
drop policy api_keys_manage on auth.api_keys;
create policy api_keys_select on auth.api_keys for select
  using (organization_id = (select app.current_org_id())
         and ((select private.current_org_role()) in ('owner', 'admin')
              or (user_id = (select app.current_user_id()) and (select private.current_org_role()) is not null)));
create policy api_keys_insert on auth.api_keys for insert
  with check (organization_id = (select app.current_org_id())
              and (select private.current_org_role()) in ('owner', 'admin')
              and user_id = (select app.current_user_id()));
create policy api_keys_update on auth.api_keys for update
  using (organization_id = (select app.current_org_id())
         and ((select private.current_org_role()) in ('owner', 'admin')
              or (user_id = (select app.current_user_id()) and (select private.current_org_role()) is not null)))
  with check (organization_id = (select app.current_org_id())
              and ((select private.current_org_role()) in ('owner', 'admin')
                   or (user_id = (select app.current_user_id()) and (select private.current_org_role()) is not null
                       and revoked_at is not null)));
create policy api_keys_delete on auth.api_keys for delete
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'));

-- Accepting an invitation no longer joins a deleted organization, and no longer lifts a
-- suspension: a suspended member stays suspended with their role.
create or replace function private.accept_invitation(p_token_hash text) returns uuid
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_inv record;
  v_email text;
begin
  select i.* into v_inv
    from app.invitations i
    join app.organizations o on o.id = i.organization_id
   where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
     and o.deleted_at is null
   for update of i;
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
    set status = case when app.organization_members.status = 'suspended' then 'suspended' else 'active' end,
        joined_at = coalesce(app.organization_members.joined_at, now()),
        role = case when app.organization_members.status in ('active', 'suspended') then app.organization_members.role else excluded.role end;
  update app.invitations set accepted_at = now(), accepted_by = app.current_user_id() where id = v_inv.id;
  return v_inv.organization_id;
end
$$;

select ops.secure_private_functions();
