-- System settings: seed 004's system_settings merged with seed 002's system_configuration.
-- Values are stored as text and typed by setting_type; the API validates every write
-- against setting_type, allowed_values, min/max and validation_rules.

create table app.system_settings (
  id serial primary key,
  setting_key varchar(100) not null,
  setting_category varchar(50) not null,
  setting_name varchar(200) not null,
  setting_description text,
  setting_value text,
  setting_type varchar(20) not null default 'string' check (setting_type in ('string', 'integer', 'decimal', 'boolean', 'json', 'array')),
  default_value text,
  validation_rules jsonb,
  allowed_values text[],
  min_value numeric,
  max_value numeric,
  is_public boolean not null default false,
  is_readonly boolean not null default false,
  requires_restart boolean not null default false,
  -- Seed 002's fields.
  config_type varchar(50) not null default 'general',
  is_encrypted boolean not null default false,
  is_sensitive boolean not null default false,
  environment varchar(20) not null default 'all' check (environment in ('all', 'development', 'staging', 'production', 'test')),
  last_modified_by uuid references auth.users (id) on delete set null,
  last_modified_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (setting_key, environment)
);
create index idx_settings_category on app.system_settings (setting_category, setting_key);
create index idx_settings_public on app.system_settings (is_public, setting_category) where is_public;
create index idx_settings_environment on app.system_settings (environment, setting_category);
create index idx_system_config_type on app.system_settings (config_type);
create index idx_system_config_sensitive on app.system_settings (is_sensitive) where is_sensitive;
create trigger set_updated_at before update on app.system_settings for each row execute function app.set_updated_at();

insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  -- seed 002 (system_configuration)
  ('analytics.enabled', 'analytics', 'Analytics collection', 'Enable analytics collection', 'true', 'boolean', 'true', null, null, false, false, false, 'feature'),
  ('analytics.batch_size', 'analytics', 'Analytics batch size', 'Batch size for analytics collection', '50', 'integer', '50', 1, 10000, false, false, false, 'performance'),
  ('analytics.flush_interval_ms', 'analytics', 'Analytics flush interval (ms)', 'Flush interval for analytics buffers', '5000', 'integer', '5000', 100, 600000, false, false, false, 'performance'),
  ('dashboard.refresh_interval_ms', 'dashboard', 'Dashboard refresh interval (ms)', 'Dashboard auto-refresh interval', '10000', 'integer', '10000', 1000, 86400000, true, false, false, 'ui'),
  ('auth.session_timeout_hours', 'security', 'Session idle timeout (hours)', 'A session not used for this long expires', '24', 'integer', '24', 1, 8760, false, false, false, 'security'),
  ('auth.max_login_attempts', 'security', 'Maximum login attempts', 'Failed sign-ins before the account is locked for a while', '5', 'integer', '5', 1, 100, false, false, false, 'security'),
  ('auth.lockout_duration_minutes', 'security', 'Lockout duration (minutes)', 'How long an account stays locked after too many failed sign-ins', '15', 'integer', '15', 1, 1440, false, false, false, 'security'),
  -- seed 004 (system_settings and its seeding script)
  ('max_concurrent_workflows', 'performance', 'Maximum Concurrent Workflows', 'Maximum number of workflows that can run simultaneously', '5', 'integer', '5', 1, 1000, false, false, false, 'performance'),
  ('default_workflow_timeout', 'workflow', 'Default Workflow Timeout', 'Default timeout for workflows in minutes', '60', 'integer', '60', 1, 10080, false, false, false, 'general'),
  ('max_file_size_mb', 'content', 'Maximum File Size', 'Maximum file size allowed for upload in MB', '100', 'integer', '100', 1, 10240, true, false, false, 'general'),
  ('retention_period_days', 'data', 'Data Retention Period', 'Number of days to retain execution data', '90', 'integer', '90', 1, 36500, false, false, false, 'general'),
  ('enable_email_notifications', 'notifications', 'Enable Email Notifications', 'Whether to send email notifications', 'true', 'boolean', 'true', null, null, false, false, false, 'feature'),
  ('api_rate_limit_per_hour', 'security', 'API Rate Limit', 'Number of API requests allowed per hour per user', '1000', 'integer', '1000', 1, 10000000, false, false, false, 'security'),
  ('backup_frequency_hours', 'system', 'Backup Frequency', 'How often to run automatic backups in hours', '24', 'integer', '24', 1, 8760, false, false, false, 'general'),
  ('app_name', 'general', 'Application Name', 'Name shown in the interface and in emails', 'Tessera', 'string', 'Tessera', null, null, true, false, false, 'ui'),
  ('app_version', 'general', 'Application Version', 'Version of the running schema', '0.1.0', 'string', '0.1.0', null, null, true, true, false, 'general'),
  ('timezone', 'general', 'Default Timezone', 'Time zone for users who have not chosen one', 'UTC', 'string', 'UTC', null, null, true, false, false, 'ui'),
  ('date_format', 'general', 'Default Date Format', 'Default date format', 'YYYY-MM-DD HH:mm:ss', 'string', 'YYYY-MM-DD HH:mm:ss', null, null, true, false, false, 'ui'),
  ('max_file_upload_size', 'limits', 'Max File Upload Size (MB)', 'Maximum upload size in MB', '100', 'integer', '100', 1, 10240, true, false, false, 'general'),
  ('session_timeout_hours', 'security', 'Session Timeout (Hours)', 'Seed 004''s setting, kept for reference; auth.session_timeout_hours is the idle timeout Tessera applies', '8', 'integer', '8', 1, 8760, false, true, false, 'security'),
  -- Tessera's own
  ('auth.session_absolute_timeout_days', 'security', 'Session absolute lifetime (days)', 'A session ends this long after sign-in, however active', '30', 'integer', '30', 1, 365, false, false, false, 'security'),
  ('auth.allow_registration', 'security', 'Allow self-registration', 'Whether anyone can create an account (otherwise by invitation only)', 'true', 'boolean', 'true', null, null, true, false, false, 'security'),
  ('auth.require_email_verification', 'security', 'Require email verification', 'Whether users must verify their email before signing in', 'false', 'boolean', 'false', null, null, true, false, false, 'security'),
  ('auth.login_rate_limit_per_minute', 'security', 'Sign-in attempts per IP per minute', 'Per-IP rate limit on sign-in, registration and password reset', '30', 'integer', '30', 1, 100000, false, false, false, 'security'),
  ('auth.password_min_length', 'security', 'Minimum password length', 'Minimum number of characters in a password', '10', 'integer', '10', 8, 128, true, false, false, 'security'),
  ('mail.outbox_visible', 'notifications', 'Show mail outbox', 'Administrators can read unsent mail in the UI (development)', 'true', 'boolean', 'true', null, null, false, false, false, 'feature');

update app.system_settings set allowed_values = array['YYYY-MM-DD HH:mm:ss', 'DD/MM/YYYY HH:mm', 'MM/DD/YYYY hh:mm A'] where setting_key = 'date_format';
update app.system_settings set validation_rules = '{"pattern": "^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$"}' where setting_key = 'timezone';
update app.system_settings set validation_rules = '{"minLength": 1, "maxLength": 60}' where setting_key = 'app_name';

-- Seed 002's name for the same data.
create view app.system_configuration with (security_invoker = true) as
  select setting_key as config_key,
         case setting_type
           when 'json' then setting_value::jsonb
           when 'array' then setting_value::jsonb
           when 'string' then to_jsonb(setting_value)
           else setting_value::jsonb end as config_value,
         setting_description as description, config_type, created_at, updated_at,
         last_modified_by as updated_by, is_encrypted, is_sensitive, validation_rules as validation_schema
    from app.system_settings;

alter table app.system_settings enable row level security;
alter table app.system_settings force row level security;
create policy system_settings_select on app.system_settings for select
  using ((is_public and (select app.current_user_id()) is not null) or (select private.is_instance_admin()));
create policy system_settings_update on app.system_settings for update
  using ((select private.is_instance_admin()) and not is_readonly)
  with check ((select private.is_instance_admin()) and not is_readonly);
grant select, update on app.system_settings to tessera_runtime;
grant select on app.system_configuration to tessera_runtime;
grant select on app.system_settings to tessera_definer;

-- Mail: everything Tessera sends lands here first; a job delivers it through SMTP when
-- configured. Without SMTP it stays in the outbox, readable by administrators: mail is
-- never silently dropped.
create table app.mail_outbox (
  id uuid primary key default gen_random_uuid(),
  to_address public.citext not null,
  subject text not null,
  body_text text not null,
  body_html text,
  template varchar(50) not null,
  status varchar(20) not null default 'pending' check (status in ('pending', 'sent', 'failed', 'held')),
  attempts integer not null default 0,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now()
);
create index idx_mail_outbox_created on app.mail_outbox (created_at desc);
create index idx_mail_outbox_pending on app.mail_outbox (status) where status in ('pending', 'failed');
alter table app.mail_outbox enable row level security;
alter table app.mail_outbox force row level security;
-- Pre-authentication flows (forgot password) queue mail without a user; only administrators read it.
create policy mail_outbox_insert on app.mail_outbox for insert with check (status = 'pending');
create policy mail_outbox_admin on app.mail_outbox for select using ((select private.is_instance_admin()));
grant select, insert on app.mail_outbox to tessera_runtime;
grant select, update on app.mail_outbox to tessera_definer;

create function private.claim_mail(p_limit integer) returns setof app.mail_outbox
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  return query
    select * from app.mail_outbox
     where status in ('pending', 'failed') and attempts < 5
     order by created_at
     limit p_limit
     for update skip locked;
end
$$;

create function private.mark_mail(p_id uuid, p_status text, p_error text) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  update app.mail_outbox
     set status = p_status, last_error = p_error, attempts = attempts + 1,
         sent_at = case when p_status = 'sent' then now() else sent_at end
   where id = p_id;
end
$$;

-- ops: operational state; holds no tenant data.
create table ops.instance_setup (
  id integer primary key default 1 check (id = 1),
  token_hash varchar(64),
  completed_at timestamptz,
  completed_by uuid,
  created_at timestamptz not null default now()
);
insert into ops.instance_setup (id) values (1);
grant select on ops.instance_setup to tessera_runtime;
grant select, update on ops.instance_setup to tessera_definer;

create table ops.worker_heartbeats (
  worker_id text primary key,
  hostname text not null,
  pid integer not null,
  started_at timestamptz not null,
  last_seen_at timestamptz not null default now()
);
grant select, insert, update, delete on ops.worker_heartbeats to tessera_runtime;
grant select on ops.schema_migrations to tessera_runtime;
