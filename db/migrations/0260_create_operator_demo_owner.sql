-- tessera demo loads the demo organization for one user: the one named by --email, or, without
-- an email, the instance administrator when there is exactly one. The owner role is subject to
-- FORCE ROW LEVEL SECURITY like everyone else, so the CLI finds that user through this
-- operator-only function (only tessera_owner may execute operator_ functions). It answers the
-- active users with that email, or every active instance administrator; the CLI decides. The
-- load itself then runs as that user in normal tenant transactions, where RLS applies.
create function private.operator_demo_owner(p_email text)
  returns table (user_id uuid, email text)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  if p_email is not null then
    return query
      select u.id, u.email::text from auth.users u
       where u.email = p_email::public.citext and u.status = 'active' and u.deleted_at is null;
    return;
  end if;
  return query
    select u.id, u.email::text
      from auth.users u
      join auth.user_roles ur on ur.user_id = u.id
      join auth.roles r on r.id = ur.role_id
     where r.name = 'instance_admin'
       and u.status = 'active' and u.deleted_at is null
       and (ur.expires_at is null or ur.expires_at > now())
     order by u.email;
end
$$;

select ops.secure_private_functions();
