-- Seed 002's mcp_request_logs as telemetry.request_logs (DESIGN.md): one row per API request,
-- every field and index of the seed, plus organization_id (the organization whose data the
-- request reached; null for requests of no organization) and route (the path template, which
-- groups requests whatever their ids). Written in batches off the request path by the
-- request-log writer (src/modules/request-logs), under its own login tessera_log_writer.
--
-- A log table partitioned by month on "timestamp", like those of 0180: partitions are made
-- ahead by partitions:maintain, never on insert. PostgreSQL wants the partition key in every
-- unique constraint, so the primary key is (id, "timestamp") and the seed's unique
-- request_id becomes unique (request_id, "timestamp"). user_id references Tessera's users
-- (uuid ids).

create table telemetry.request_logs (
  id bigint generated always as identity,
  organization_id uuid references app.organizations (id) on delete cascade,
  request_id varchar(255) not null,
  -- Request details
  method varchar(10) not null,
  route text,
  path text not null,
  query_params jsonb,
  request_headers jsonb,
  request_body jsonb,
  -- Response details
  response_status_code integer not null,
  response_data jsonb,
  response_headers jsonb,
  response_size_bytes integer,
  -- Performance metrics
  duration_ms integer not null,
  queue_time_ms integer,
  processing_time_ms integer,
  -- Status and metadata
  success boolean not null,
  error_type varchar(50),
  -- Context
  user_id uuid references auth.users (id) on delete set null,
  session_id varchar(255),
  "timestamp" timestamptz not null default current_timestamp,
  -- Client information
  user_agent text,
  ip_address inet,
  client_version varchar(20),
  -- Additional tracking
  correlation_id varchar(255),
  trace_id varchar(255),
  span_id varchar(255),
  primary key (id, "timestamp"),
  constraint request_logs_request_id_key unique (request_id, "timestamp")
) partition by range ("timestamp");

-- The seed's indexes, with its names.
create index idx_mcp_request_method_time on telemetry.request_logs (method, "timestamp" desc);
create index idx_mcp_request_path_time on telemetry.request_logs (path, "timestamp" desc);
create index idx_mcp_request_status_time on telemetry.request_logs (response_status_code, "timestamp" desc);
create index idx_mcp_request_user_time on telemetry.request_logs (user_id, "timestamp" desc);
create index idx_mcp_request_success on telemetry.request_logs (success, "timestamp" desc);
create index idx_mcp_request_duration on telemetry.request_logs (duration_ms) where duration_ms > 1000;
create index idx_mcp_request_error_type on telemetry.request_logs (error_type) where error_type is not null;
create index idx_mcp_request_query_gin on telemetry.request_logs using gin (query_params);
create index idx_mcp_request_headers_gin on telemetry.request_logs using gin (request_headers);
create index idx_mcp_request_body_gin on telemetry.request_logs using gin (request_body);
-- Tessera's: the policies filter on organization_id; the admin list pages newest first and
-- filters by route.
create index idx_request_logs_org_time on telemetry.request_logs (organization_id, "timestamp" desc);
create index idx_request_logs_time on telemetry.request_logs ("timestamp" desc, id desc);
create index idx_request_logs_route_time on telemetry.request_logs (route, "timestamp" desc);

select ops.ensure_partitions('telemetry.request_logs', 'month', 3, 1);

-- Row-Level Security. Requests carry headers and bodies (redacted, but still what people
-- sent): an organization's owners and admins read its requests, instance administrators read
-- every request, members read none. Nobody of the runtime role writes: the only writer is
-- tessera_log_writer, whose policy lets it append and whose grant is INSERT alone (it reads
-- nothing back, not even its own rows). Retention drops whole months as the owner.
alter table telemetry.request_logs enable row level security;
alter table telemetry.request_logs force row level security;
create policy org_admin_or_instance_read on telemetry.request_logs for select
  using ((organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
         or (select private.is_instance_admin()));
-- By name rather than "to tessera_log_writer": a hand-made role setup may create that login
-- after this migration (docs/database-roles.md); the INSERT grant is the gate either way.
create policy request_log_writer_append on telemetry.request_logs for insert
  with check (current_user = 'tessera_log_writer');
grant select on telemetry.request_logs to tessera_runtime;

do $$
begin
  if to_regrole('tessera_log_writer') is null then
    raise warning 'role tessera_log_writer does not exist: request logs are not written until it is created and granted (docs/database-roles.md)';
  else
    grant usage on schema telemetry to tessera_log_writer;
    grant insert on telemetry.request_logs to tessera_log_writer;
  end if;
end
$$;

-- Retention: seed 002's mcp_request_logs policy (60 days, archive before delete) governs the
-- table now; ops:retention archives each expired month, then drops it.
update ops.data_retention_policies set relation = 'telemetry.request_logs' where table_name = 'mcp_request_logs';

-- Settings of the writer besides seed 002's analytics.enabled, batch_size and
-- flush_interval_ms (0005).
alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('analytics.request_body_max_bytes', 'analytics', 'Request log body size (bytes)', 'Request bodies are kept up to about this many bytes in the request log (0: none); the rest is cut, secrets are always redacted', '4096', 'integer', '4096', 0, 65536, false, false, false, 'performance'),
  ('analytics.request_log_buffer_max', 'analytics', 'Request log buffer (entries)', 'Request log entries kept in memory while the database cannot take them; beyond this the oldest are dropped and counted', '10000', 'integer', '10000', 100, 1000000, false, false, false, 'performance');
alter table app.system_settings force row level security;

-- seed 003 maintain_partitions (0200), in step with PARTITIONED_TABLES: the request log joins.
create or replace function ops.maintain_partitions()
  returns void
  language plpgsql
  set search_path = ''
  as $$
declare
  policy record;
begin
  perform ops.ensure_partitions('audit.audit_log', 'month', 3, 1);
  perform ops.ensure_partitions('ingest.pipeline_data', 'day', 7, 1);
  perform ops.ensure_partitions('ts.time_series_data', 'day', 7, 30);
  perform ops.ensure_partitions('telemetry.tool_usage_logs', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.error_logs', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.performance_metrics', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.query_performance_logs', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.dashboard_usage_logs', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.request_logs', 'month', 3, 1);
  perform ops.build_deferred_indexes();
  for policy in
    select p.relation, p.retention_days from ops.data_retention_policies p
     where p.cleanup_enabled and not coalesce(p.archive_before_delete, true)
       and p.relation in (select distinct c.parent_table from ops.partitions c)
  loop
    perform ops.drop_expired_partitions(policy.relation, now() - make_interval(days => policy.retention_days));
  end loop;
  raise notice 'Partition maintenance completed at %', now();
end
$$;
