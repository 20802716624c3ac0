-- Public dashboard links (issue 5, sharing): the token itself is never stored, only its
-- SHA-256 (app.dashboards.public_token_hash, 0200) and a display prefix. This adds whether a
-- link's viewers may change the time range and filters, the lookup of a token before any
-- tenant context exists, the per-address rate limit of the public routes, and which sites may
-- frame embed pages (CSP frame-ancestors of /embed/*; every other page keeps 'none').

alter table app.dashboards add column public_allow_viewer_changes boolean not null default false;

-- A public request has no user and no organization yet: this answers only which dashboard a
-- token opens and as whom its data is read (the creator while an active member with an active
-- account, and an active owner of the organization as the fallback). Everything else is read
-- afterwards inside that organization's tenant context. Deleted dashboards and deleted
-- organizations are not served.
create function private.public_dashboard_by_token(p_token_hash text)
  returns table (organization_id uuid, dashboard_id uuid, creator_id uuid, owner_id uuid)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
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
      join app.organizations o on o.id = d.organization_id
     where d.public_token_hash = p_token_hash
       and d.is_public
       and d.deleted_at is null
       and o.deleted_at is null;
end
$$;

alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('sharing.public_rate_limit_per_minute', 'sharing', 'Public dashboard requests per minute per address', 'Requests one client address may make per minute to public and embedded dashboards (payload and data together); more answer 429', '300', 'integer', '300', 1, 100000, false, false, false, 'security'),
  ('sharing.embed_frame_ancestors', 'sharing', 'Sites that may embed dashboards', 'CSP frame-ancestors of embed pages (/embed/...): * for any site, or a space-separated list of origins', '*', 'string', '*', null, null, false, false, false, 'security');
alter table app.system_settings force row level security;

select ops.secure_private_functions();
