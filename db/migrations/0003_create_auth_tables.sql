-- auth schema: the union of the user, role, session and token fields of seeds 000, 002, 003 and 004.

create table auth.users (
  id uuid primary key default gen_random_uuid(),
  email public.citext not null unique check (length(email::text) between 3 and 255 and position('@' in email::text) > 1),
  username public.citext unique check (username is null or length(username::text) between 2 and 255),
  password_hash varchar(255) not null,
  display_name varchar(100) not null check (length(btrim(display_name)) > 0),
  first_name varchar(100),
  last_name varchar(100),
  avatar_url text check (avatar_url is null or avatar_url ~ '^https?://'),
  phone varchar(50),
  phone_verified boolean not null default false,
  timezone varchar(50) not null default 'UTC',
  locale varchar(10) not null default 'en_US',
  status varchar(20) not null default 'active' check (status in ('active', 'suspended', 'deleted')),
  is_active boolean generated always as (status = 'active' and deleted_at is null) stored,
  email_verified_at timestamptz,
  email_verified boolean generated always as (email_verified_at is not null) stored,
  last_login_at timestamptz,
  last_login_ip inet,
  login_count integer not null default 0,
  failed_login_attempts integer not null default 0,
  locked_until timestamptz,
  password_changed_at timestamptz not null default now(),
  two_factor_enabled boolean not null default false,
  -- AES-256-GCM ciphertext (key id:nonce:ciphertext:tag), never the plain secret.
  two_factor_secret text,
  -- Time step of the last accepted TOTP code: a code cannot be replayed.
  two_factor_last_step bigint,
  -- SHA-256 hashes of the single-use backup codes.
  backup_codes text[] not null default '{}',
  notification_preferences jsonb not null default '{}',
  ui_preferences jsonb not null default '{}',
  metadata jsonb not null default '{}',
  created_by uuid references auth.users (id) on delete set null,
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index idx_users_status on auth.users (status) where deleted_at is null;
create index idx_users_created_at on auth.users (created_at desc);
create index idx_users_last_login on auth.users (last_login_at desc nulls last);
create index idx_users_locked on auth.users (locked_until) where locked_until is not null;
create index idx_users_email_verified on auth.users (email_verified, email_verified_at);
create index idx_users_fulltext on auth.users using gin (
  to_tsvector('english', coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(display_name, '') || ' ' || email::text));
create trigger set_updated_at before update on auth.users for each row execute function app.set_updated_at();

create table auth.roles (
  id uuid primary key default gen_random_uuid(),
  name varchar(50) not null unique,
  description text,
  permissions jsonb not null default '[]',
  is_system boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger set_updated_at before update on auth.roles for each row execute function app.set_updated_at();
insert into auth.roles (name, description, permissions, is_system) values
  ('instance_admin', 'Administers this Tessera instance: settings, users, audit log, mail outbox', '["instance:*"]', true);

create table auth.user_roles (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  role_id uuid not null references auth.roles (id) on delete cascade,
  granted_by uuid references auth.users (id) on delete set null,
  granted_at timestamptz not null default now(),
  expires_at timestamptz,
  unique (user_id, role_id)
);
create index idx_user_roles_user_id on auth.user_roles (user_id);
create index idx_user_roles_role_id on auth.user_roles (role_id);

create table auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  -- SHA-256 of the cookie token; the token itself is never stored.
  token_hash varchar(255) not null unique,
  refresh_token_hash varchar(255),
  device_info jsonb not null default '{}',
  device_type varchar(50),
  browser_name varchar(50),
  browser_version varchar(20),
  os_name varchar(50),
  os_version varchar(20),
  ip_address inet,
  user_agent text,
  session_data jsonb not null default '{}',
  login_method varchar(50) not null default 'password' check (login_method in ('password', 'api_key', 'setup', 'invitation', 'password_reset', 'totp', 'backup_code')),
  mfa_verified boolean not null default false,
  is_active boolean not null default true,
  is_remembered boolean not null default false,
  last_activity_at timestamptz not null default now(),
  -- Idle expiry, pushed forward on activity; absolute expiry never moves.
  expires_at timestamptz not null,
  absolute_expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  invalidated_at timestamptz,
  invalidated_reason varchar(50),
  constraint chk_expires_future check (expires_at > created_at)
);
create index idx_sessions_user_active on auth.sessions (user_id, is_active) where is_active;
create index idx_sessions_expires_at on auth.sessions (expires_at);
create index idx_sessions_last_activity on auth.sessions (last_activity_at desc);
create index idx_sessions_ip on auth.sessions (ip_address);

create table auth.password_reset_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  token_hash varchar(255) not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index idx_password_reset_tokens_user on auth.password_reset_tokens (user_id);
create index idx_password_reset_tokens_expires on auth.password_reset_tokens (expires_at);

create table auth.email_verification_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  token_hash varchar(255) not null unique,
  email public.citext not null,
  expires_at timestamptz not null,
  verified_at timestamptz,
  created_at timestamptz not null default now()
);
create index idx_email_verification_tokens_user on auth.email_verification_tokens (user_id);
create index idx_email_verification_tokens_expires on auth.email_verification_tokens (expires_at);

-- Row-Level Security. Users are global identities: a user sees themselves, the members
-- of their organizations and (instance administrators) everyone.
alter table auth.users enable row level security;
alter table auth.users force row level security;
create policy users_select on auth.users for select
  using (id = (select app.current_user_id())
         or id in (select private.org_peer_ids())
         or (select private.is_instance_admin()));
-- Registration sets app.user_id to the id it inserts, so a user can only create themselves.
create policy users_insert on auth.users for insert
  with check (id = (select app.current_user_id()) or (select private.is_instance_admin()));
create policy users_update on auth.users for update
  using (id = (select app.current_user_id()) or (select private.is_instance_admin()))
  with check (id = (select app.current_user_id()) or (select private.is_instance_admin()));
create policy users_delete on auth.users for delete
  using ((select private.is_instance_admin()));

alter table auth.roles enable row level security;
alter table auth.roles force row level security;
create policy roles_select on auth.roles for select using ((select app.current_user_id()) is not null);
create policy roles_write on auth.roles for all
  using ((select private.is_instance_admin()) and not is_system)
  with check ((select private.is_instance_admin()) and not is_system);

alter table auth.user_roles enable row level security;
alter table auth.user_roles force row level security;
create policy user_roles_select on auth.user_roles for select
  using (user_id = (select app.current_user_id()) or (select private.is_instance_admin()));
create policy user_roles_write on auth.user_roles for all
  using ((select private.is_instance_admin()))
  with check ((select private.is_instance_admin()));

alter table auth.sessions enable row level security;
alter table auth.sessions force row level security;
create policy sessions_own on auth.sessions for all
  using (user_id = (select app.current_user_id()))
  with check (user_id = (select app.current_user_id()));
-- Administrators list and revoke other users' sessions (suspension signs a user out everywhere).
create policy sessions_admin_select on auth.sessions for select using ((select private.is_instance_admin()));
create policy sessions_admin_update on auth.sessions for update
  using ((select private.is_instance_admin())) with check ((select private.is_instance_admin()));

alter table auth.password_reset_tokens enable row level security;
alter table auth.password_reset_tokens force row level security;
create policy password_reset_tokens_own on auth.password_reset_tokens for select
  using (user_id = (select app.current_user_id()));

alter table auth.email_verification_tokens enable row level security;
alter table auth.email_verification_tokens force row level security;
create policy email_verification_tokens_own on auth.email_verification_tokens for all
  using (user_id = (select app.current_user_id()))
  with check (user_id = (select app.current_user_id()));

grant select, insert, update on auth.users to tessera_runtime;
grant delete on auth.users to tessera_runtime;
grant select, insert, update, delete on auth.roles, auth.user_roles to tessera_runtime;
grant select, insert, update, delete on auth.sessions to tessera_runtime;
grant select on auth.password_reset_tokens to tessera_runtime;
grant select, insert, update on auth.email_verification_tokens to tessera_runtime;

grant select, update on auth.users to tessera_definer;
grant select, insert on auth.user_roles to tessera_definer;
grant select on auth.roles to tessera_definer;
grant select, delete on auth.sessions to tessera_definer;
grant select, insert, update, delete on auth.password_reset_tokens, auth.email_verification_tokens to tessera_definer;
