-- The dashboards CLI (tessera dashboards export|import) acts as one member of one organization.
-- The owner role is subject to FORCE ROW LEVEL SECURITY like everyone else, so it finds that
-- member through this operator-only function: the organization by id or slug, the member by
-- email, or without an email the organization's first owner. The CLI then runs the service in
-- a normal tenant transaction as that user, where Row-Level Security applies as for a request.
create function private.operator_organization_member(p_organization text, p_email text)
  returns table (organization_id uuid, user_id uuid, role text, email text)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select o.id, m.user_id, m.role::text, u.email::text
      from app.organizations o
      join app.organization_members m on m.organization_id = o.id and m.status = 'active'
      join auth.users u on u.id = m.user_id
     where o.deleted_at is null
       and (o.id::text = lower(p_organization) or o.slug = p_organization::public.citext)
       and (case when p_email is null then m.role = 'owner' else u.email = p_email::public.citext end)
     order by m.created_at, m.user_id
     limit 1;
end
$$;

select ops.secure_private_functions();
