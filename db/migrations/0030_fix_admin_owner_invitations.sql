-- An admin could invite someone as 'owner' (or turn a pending invitation into one):
-- invitations_manage only asked for an owner or admin, so accepting such an invitation made
-- the invitee an owner. That is the escalation organization_members forbids (admins neither
-- add nor promote owners). An admin now never leaves a pending owner invitation behind:
-- they may still revoke one (the row then carries revoked_at), but not create, re-address
-- or un-revoke it. Reads and deletes are unchanged (owners and admins of the organization).

drop policy invitations_manage on app.invitations;

create policy invitations_select on app.invitations for select
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'));

create policy invitations_insert on app.invitations for insert
  with check (organization_id = (select app.current_org_id())
              and ((select private.current_org_role()) = 'owner'
                   or ((select private.current_org_role()) = 'admin' and role <> 'owner')));

create policy invitations_update on app.invitations for update
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
  with check (organization_id = (select app.current_org_id())
              and ((select private.current_org_role()) = 'owner'
                   or ((select private.current_org_role()) = 'admin' and (role <> 'owner' or revoked_at is not null))));

create policy invitations_delete on app.invitations for delete
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'));
