-- How long a cached series answer may be served (ts.query_cache); ingest into the answer's
-- range and rollup runs invalidate it sooner (0120), so a longer TTL trades only staleness of
-- "as of" for fewer recomputations.

alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('timeseries.cache_ttl_seconds', 'timeseries', 'Series cache lifetime (seconds)', 'A series answer is served from the query cache for at most this long; new points in its range invalidate it at once', '60', 'integer', '60', 0, 86400, false, false, false, 'performance');
alter table app.system_settings force row level security;
