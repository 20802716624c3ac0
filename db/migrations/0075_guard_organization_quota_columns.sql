-- Organization owners and admins edit their organization's profile, never its quota or its
-- accounting: storage_limit_gb is the instance administrator's, storage_used_gb belongs to
-- private.add_storage_used, subscription_tier and trial_ends_at to billing. Column grants
-- make that a rule of the database rather than of the API (0004 granted the whole row).
revoke update on app.organizations from tessera_runtime;
grant update (name, slug, domain, description, logo_url, website_url, industry, size, settings, billing_email, status, deleted_at, updated_at)
  on app.organizations to tessera_runtime;

-- Instance administrators set an organization's storage limit (null = unlimited). The
-- organizations_update policy only admits the organization's own owners and admins, so
-- this is the one narrow path; lowering a limit below what is used only stops new data.
grant update (storage_limit_gb) on app.organizations to tessera_definer;
create function private.set_organization_storage_limit(p_organization_id uuid, p_limit_gb integer)
  returns boolean
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  if not private.is_instance_admin() then
    raise exception 'only instance administrators set storage limits' using errcode = '42501';
  end if;
  if p_limit_gb is not null and p_limit_gb < 0 then
    raise exception 'storage limit must be zero or more' using errcode = '22023';
  end if;
  update app.organizations set storage_limit_gb = p_limit_gb
   where id = p_organization_id and deleted_at is null;
  return found;
end
$$;

select ops.secure_private_functions();
