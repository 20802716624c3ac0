-- Tenancy (seeds 000, 001, 003): organizations, members, teams, invitations, API keys.
-- Every tenant row carries organization_id; policies read app.org_id / app.user_id.

create table app.organizations (
  id uuid primary key default gen_random_uuid(),
  name varchar(255) not null check (length(btrim(name)) between 1 and 255),
  slug public.citext not null unique check (slug::text ~ '^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$'),
  domain varchar(255),
  description text,
  logo_url text check (logo_url is null or logo_url ~ '^https?://'),
  website_url text check (website_url is null or website_url ~ '^https?://'),
  industry varchar(100),
  size varchar(50),
  settings jsonb not null default '{}',
  subscription_tier varchar(50) not null default 'free',
  billing_email varchar(255),
  status varchar(20) not null default 'active' check (status in ('active', 'trial', 'suspended', 'deleted')),
  trial_ends_at timestamptz,
  -- Seed 001 keeps storage quotas on its teams, which are Tessera's organizations.
  storage_limit_gb integer check (storage_limit_gb is null or storage_limit_gb >= 0),
  storage_used_gb numeric(12, 3) not null default 0,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index idx_organizations_status on app.organizations (status) where deleted_at is null;
create index idx_organizations_created_by on app.organizations (created_by);
create index idx_organizations_trial_ends on app.organizations (trial_ends_at) where trial_ends_at is not null;
create index idx_organizations_fulltext on app.organizations using gin (
  to_tsvector('english', name || ' ' || coalesce(description, '')));
create trigger set_updated_at before update on app.organizations for each row execute function app.set_updated_at();

create table app.organization_members (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role varchar(50) not null default 'member' check (role in ('owner', 'admin', 'member', 'viewer')),
  invited_by uuid references auth.users (id) on delete set null,
  invited_at timestamptz default now(),
  joined_at timestamptz,
  status varchar(20) not null default 'active' check (status in ('pending', 'active', 'suspended', 'removed')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, user_id)
);
create index idx_org_members_org_id on app.organization_members (organization_id);
create index idx_org_members_user_id on app.organization_members (user_id);
create index idx_org_members_role on app.organization_members (role);
create index idx_org_members_status on app.organization_members (status);
create index idx_users_org_lookup on app.organization_members (organization_id, user_id);
create trigger set_updated_at before update on app.organization_members for each row execute function app.set_updated_at();

create table app.teams (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  name varchar(255) not null check (length(btrim(name)) between 1 and 255),
  description text,
  storage_limit_gb integer check (storage_limit_gb is null or storage_limit_gb >= 0),
  storage_used_gb numeric(12, 3) not null default 0,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, name),
  -- Lets team_members reference (organization_id, id) so a member row can't point at another org's team.
  unique (organization_id, id)
);
create index idx_teams_org on app.teams (organization_id);
create trigger set_updated_at before update on app.teams for each row execute function app.set_updated_at();

create table app.team_members (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  team_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  role varchar(50) not null default 'member' check (role in ('maintainer', 'member')),
  joined_at timestamptz not null default now(),
  foreign key (organization_id, team_id) references app.teams (organization_id, id) on delete cascade,
  -- Only members of the organization can join its teams.
  foreign key (organization_id, user_id) references app.organization_members (organization_id, user_id) on delete cascade,
  unique (team_id, user_id)
);
create index idx_team_members_org on app.team_members (organization_id);
create index idx_team_members_user on app.team_members (user_id);

create table app.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  email public.citext not null,
  role varchar(50) not null default 'member' check (role in ('owner', 'admin', 'member', 'viewer')),
  token_hash varchar(255) not null unique,
  invited_by uuid references auth.users (id) on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index idx_invitations_org on app.invitations (organization_id, created_at desc);
create index idx_invitations_email on app.invitations (email) where accepted_at is null and revoked_at is null;

create table auth.api_keys (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  name varchar(100) not null check (length(btrim(name)) between 1 and 100),
  -- Shown in lists so a key can be recognised; the secret itself is only ever shown once.
  prefix varchar(20) not null,
  key_hash varchar(64) not null unique,
  scopes text[] not null check (cardinality(scopes) > 0 and scopes <@ array['ingest', 'read', 'write', 'admin']),
  last_used_at timestamptz,
  last_used_ip inet,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index idx_api_keys_org on auth.api_keys (organization_id, created_at desc);
create index idx_api_keys_user on auth.api_keys (user_id);

-- An organization always keeps at least one active owner. Deferred so a transaction can
-- promote a new owner before demoting the old one.
create function private.keep_an_owner() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
declare
  v_org uuid := coalesce(old.organization_id, new.organization_id);
begin
  if not exists (select 1 from app.organizations where id = v_org) then
    return null; -- the organization itself is being deleted
  end if;
  if not exists (select 1 from app.organization_members where organization_id = v_org and role = 'owner' and status = 'active') then
    raise exception 'an organization must keep at least one active owner' using errcode = '23514', constraint = 'organization_needs_owner';
  end if;
  return null;
end
$$;
create constraint trigger organization_needs_owner
  after update or delete on app.organization_members
  deferrable initially deferred
  for each row execute function private.keep_an_owner();

-- Policies (seed 003's intent): organizations are visible to their members, updated by
-- owners and admins, deleted by owners. Tenant rows need the request's organization to
-- be the row's organization and the user to be an active member of it.
alter table app.organizations enable row level security;
alter table app.organizations force row level security;
create policy organizations_select on app.organizations for select
  using (id in (select private.member_org_ids()) or (select private.is_instance_admin()));
create policy organizations_update on app.organizations for update
  using (private.org_role(id) in ('owner', 'admin'))
  with check (private.org_role(id) in ('owner', 'admin'));
create policy organizations_delete on app.organizations for delete
  using (private.org_role(id) = 'owner');

alter table app.organization_members enable row level security;
alter table app.organization_members force row level security;
create policy organization_members_select on app.organization_members for select
  using ((organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)
         or user_id = (select app.current_user_id()));
create policy organization_members_insert on app.organization_members for insert
  with check (organization_id = (select app.current_org_id())
              and ((select private.current_org_role()) = 'owner'
                   or ((select private.current_org_role()) = 'admin' and role <> 'owner')));
create policy organization_members_update on app.organization_members for update
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
  with check (organization_id = (select app.current_org_id())
              and ((select private.current_org_role()) = 'owner'
                   or ((select private.current_org_role()) = 'admin' and role <> 'owner')));
-- Owners and admins remove members; anyone may leave.
create policy organization_members_delete on app.organization_members for delete
  using (organization_id = (select app.current_org_id())
         and ((select private.current_org_role()) = 'owner'
              or ((select private.current_org_role()) = 'admin' and role <> 'owner')
              or user_id = (select app.current_user_id())));

alter table app.teams enable row level security;
alter table app.teams force row level security;
create policy teams_select on app.teams for select
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
create policy teams_write on app.teams for all
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'));

alter table app.team_members enable row level security;
alter table app.team_members force row level security;
create policy team_members_select on app.team_members for select
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
create policy team_members_write on app.team_members for all
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'));

alter table app.invitations enable row level security;
alter table app.invitations force row level security;
create policy invitations_manage on app.invitations for all
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'));

alter table auth.api_keys enable row level security;
alter table auth.api_keys force row level security;
create policy api_keys_manage on auth.api_keys for all
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin')
              and user_id = (select app.current_user_id()));

grant select, update, delete on app.organizations to tessera_runtime;
grant select, insert, update, delete on app.organization_members, app.teams, app.team_members, app.invitations, auth.api_keys to tessera_runtime;

grant select, insert on app.organizations to tessera_definer;
grant select, insert, update on app.organization_members to tessera_definer;
grant select, update, delete on app.invitations to tessera_definer;
grant select, update on auth.api_keys to tessera_definer;
