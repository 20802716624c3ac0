-- Scheduled backups (issue 6, docs/backup.md): seed 004's backup_frequency_hours (0005) says how
-- often the worker writes one; these say whether it does and how many it keeps in
-- TESSERA_HOME/backups. Instance-wide settings, no tenant data.
alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('backup.enabled', 'system', 'Scheduled backups', 'Whether the worker writes a backup every backup_frequency_hours hours into TESSERA_HOME/backups', 'true', 'boolean', 'true', null, null, false, false, false, 'feature'),
  ('backup.retention_count', 'system', 'Backups kept', 'How many scheduled and manual backups the backup directory keeps (the oldest are deleted)', '7', 'integer', '7', 1, 1000, false, false, false, 'general')
on conflict (setting_key, environment) do nothing;
alter table app.system_settings force row level security;
