-- Seed 002's tool_usage_logs, error_logs and performance_metrics in schema telemetry (DESIGN.md),
-- every field, index and constraint of the seed, plus organization_id. Their writers come with
-- a later issue; the summary views over them (0181) are needed now.
--
-- All three are log tables, partitioned by month on "timestamp" (DESIGN.md: monthly for logs;
-- the seed partitions tool_usage_logs that way). Partitions are created ahead by the worker's
-- partitions:maintain (PARTITIONED_TABLES in src/modules/jobs/jobs.tasks.ts), never on insert.
-- PostgreSQL wants the partition key in every unique constraint of a partitioned table, so
-- the seed's primary keys become (id, "timestamp"), "timestamp" is NOT NULL, and the seed's
-- unique keys gain "timestamp" and organization_id (a key shared across tenants would let one
-- tenant's row block, and so reveal, another's).
-- Seed enums (error_level_enum) are check constraints, as everywhere in Tessera.

create table telemetry.tool_usage_logs (
  id bigint generated always as identity,
  -- A tool call always runs for an organization (an MCP session is an organization's API key).
  organization_id uuid not null references app.organizations (id) on delete cascade,
  execution_id varchar(255) not null,
  bcp_name varchar(100) not null,
  tool_name varchar(100) not null,
  operation varchar(100) not null,
  parameters jsonb,
  response_data jsonb,
  error_message text,
  error_stack text,
  error_code varchar(50),
  duration_ms integer not null,
  memory_usage_mb numeric(10, 2),
  cpu_usage_percent numeric(5, 2),
  success boolean not null,
  tool_version varchar(20),
  user_id uuid references auth.users (id) on delete set null,
  session_id varchar(255),
  request_id varchar(255),
  "timestamp" timestamptz not null default current_timestamp,
  ip_address inet,
  user_agent text,
  -- SHA-256 hash for deduplication
  parameters_hash varchar(64),
  response_size_bytes integer,
  cache_hit boolean default false,
  primary key (id, "timestamp"),
  constraint tool_usage_logs_execution_id_key unique (organization_id, execution_id, "timestamp")
) partition by range ("timestamp");

create index idx_tool_usage_org_time on telemetry.tool_usage_logs (organization_id, "timestamp" desc);
create index idx_tool_usage_bcp_time on telemetry.tool_usage_logs (bcp_name, "timestamp" desc);
create index idx_tool_usage_tool_time on telemetry.tool_usage_logs (tool_name, "timestamp" desc);
create index idx_tool_usage_operation_time on telemetry.tool_usage_logs (operation, "timestamp" desc);
create index idx_tool_usage_user_time on telemetry.tool_usage_logs (user_id, "timestamp" desc);
create index idx_tool_usage_success on telemetry.tool_usage_logs (success, "timestamp" desc);
create index idx_tool_usage_duration on telemetry.tool_usage_logs (duration_ms) where duration_ms > 5000;
create index idx_tool_usage_execution_id on telemetry.tool_usage_logs (execution_id);
create index idx_tool_usage_request_id on telemetry.tool_usage_logs (request_id);
create index idx_tool_usage_parameters_gin on telemetry.tool_usage_logs using gin (parameters);
create index idx_tool_usage_response_gin on telemetry.tool_usage_logs using gin (response_data);
create index idx_tool_usage_params_hash on telemetry.tool_usage_logs (parameters_hash);

create table telemetry.error_logs (
  id bigint generated always as identity,
  -- Null: an error of the instance itself (the worker, a migration), seen by instance administrators.
  organization_id uuid references app.organizations (id) on delete cascade,
  level varchar(10) not null check (level in ('debug', 'info', 'warn', 'error', 'fatal')),
  message text not null,
  stack_trace text,
  error_code varchar(50),
  context jsonb not null default '{}',
  tool_context jsonb,
  user_id uuid references auth.users (id) on delete set null,
  session_id varchar(255),
  request_id varchar(255),
  execution_id varchar(255),
  "timestamp" timestamptz not null default current_timestamp,
  resolved boolean default false,
  resolution_notes text,
  resolved_by uuid references auth.users (id) on delete set null,
  resolved_at timestamptz,
  -- 'authentication', 'database', 'external_api', 'validation'
  category varchar(50),
  severity integer check (severity between 1 and 5),
  -- 'low', 'medium', 'high', 'critical'
  impact_level varchar(20),
  environment varchar(20) default 'production',
  service_version varchar(20),
  deployment_id varchar(50),
  occurrence_count integer default 1,
  first_occurrence timestamptz default current_timestamp,
  last_occurrence timestamptz default current_timestamp,
  primary key (id, "timestamp")
) partition by range ("timestamp");

create index idx_error_logs_org_time on telemetry.error_logs (organization_id, "timestamp" desc);
create index idx_error_logs_level_time on telemetry.error_logs (level, "timestamp" desc);
create index idx_error_logs_resolved on telemetry.error_logs (resolved) where resolved = false;
create index idx_error_logs_category_time on telemetry.error_logs (category, "timestamp" desc);
create index idx_error_logs_severity on telemetry.error_logs (severity desc, "timestamp" desc);
create index idx_error_logs_user_time on telemetry.error_logs (user_id, "timestamp" desc);
create index idx_error_logs_request_id on telemetry.error_logs (request_id) where request_id is not null;
create index idx_error_logs_execution_id on telemetry.error_logs (execution_id) where execution_id is not null;
create index idx_error_logs_context_gin on telemetry.error_logs using gin (context);
create index idx_error_logs_tool_context_gin on telemetry.error_logs using gin (tool_context);
create index idx_error_logs_message_fts on telemetry.error_logs using gin (to_tsvector('english', message));
-- Not in the seed: deleting a user sets resolved_by to null, which would scan every partition.
create index idx_error_logs_resolved_by on telemetry.error_logs (resolved_by) where resolved_by is not null;

create table telemetry.performance_metrics (
  id bigint generated always as identity,
  -- Null: a metric of the instance (API, worker, database), seen by instance administrators.
  organization_id uuid references app.organizations (id) on delete cascade,
  metric_name varchar(100) not null,
  metric_value numeric(15, 4) not null,
  labels jsonb default '{}',
  "timestamp" timestamptz not null default current_timestamp,
  -- '1m', '5m', '15m', '1h', '1d'
  aggregation_period varchar(20) not null,
  -- 'counter', 'gauge', 'histogram', 'summary'
  measurement_type varchar(50),
  -- 'ms', 'bytes', 'percent', 'count'
  unit varchar(20),
  service varchar(50) default 'mcp-server',
  environment varchar(20) default 'production',
  primary key (id, "timestamp"),
  constraint chk_aggregation_period check (aggregation_period in ('1m', '5m', '15m', '1h', '1d', '1w'))
) partition by range ("timestamp");

create index idx_performance_metrics_org_time on telemetry.performance_metrics (organization_id, "timestamp" desc);
create index idx_performance_metrics_name_time on telemetry.performance_metrics (metric_name, "timestamp" desc);
create index idx_performance_metrics_period_time on telemetry.performance_metrics (aggregation_period, "timestamp" desc);
create index idx_performance_metrics_labels_gin on telemetry.performance_metrics using gin (labels);
-- The seed's "no duplicate metric for the same period", per organization; NULLS NOT DISTINCT
-- makes the instance's own metrics (organization_id null) duplicates of each other too.
create unique index idx_performance_metrics_unique on telemetry.performance_metrics (
  organization_id, metric_name, aggregation_period, "timestamp", coalesce(md5(labels::text), 'null')) nulls not distinct;

select ops.ensure_partitions('telemetry.tool_usage_logs', 'month', 3, 1);
select ops.ensure_partitions('telemetry.error_logs', 'month', 3, 1);
select ops.ensure_partitions('telemetry.performance_metrics', 'month', 3, 1);

-- Row-Level Security. Members of an organization (viewers included: an agent with a viewer's
-- key still calls tools, and its errors are logged) read and append their organization's rows;
-- rows without an organization are the instance's, read and written by instance
-- administrators only (later, system writers go through SECURITY DEFINER functions). Logs are
-- append-only for the runtime role: no UPDATE (except resolving an error) and no DELETE;
-- retention drops whole months as the owner.
alter table telemetry.tool_usage_logs enable row level security;
alter table telemetry.tool_usage_logs force row level security;
create policy tenant_member_read on telemetry.tool_usage_logs for select
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
create policy tenant_member_append on telemetry.tool_usage_logs for insert
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
grant select, insert on telemetry.tool_usage_logs to tessera_runtime;

do $$
declare
  t text;
begin
  foreach t in array array['telemetry.error_logs', 'telemetry.performance_metrics'] loop
    execute format('alter table %s enable row level security', t);
    execute format('alter table %s force row level security', t);
    execute format($p$create policy tenant_member_or_instance_read on %s for select
      using ((organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)
             or (organization_id is null and (select private.is_instance_admin())))$p$, t);
    execute format($p$create policy tenant_member_or_instance_append on %s for insert
      with check ((organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)
                  or (organization_id is null and (select private.is_instance_admin())))$p$, t);
    execute format('grant select, insert on %s to tessera_runtime', t);
  end loop;
end
$$;

-- Resolving an error: the organization's owners and admins (instance administrators for the
-- instance's errors) set the seed's resolution fields, and only those columns.
create policy error_resolution on telemetry.error_logs for update
  using ((organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
         or (organization_id is null and (select private.is_instance_admin())))
  with check ((organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin'))
              or (organization_id is null and (select private.is_instance_admin())));
grant update (resolved, resolution_notes, resolved_by, resolved_at) on telemetry.error_logs to tessera_runtime;

-- The summary views (0181) aggregate these tables across tenants through SECURITY DEFINER
-- functions owned by tessera_definer (BYPASSRLS).
grant select on telemetry.tool_usage_logs, telemetry.error_logs, telemetry.performance_metrics to tessera_definer;
