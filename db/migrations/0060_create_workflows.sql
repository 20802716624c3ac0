-- Workflows (seed 004): every pipeline run is a workflow execution whose stages (fetching →
-- processing → storing → sinks) are recorded with the fetching and processing history and
-- one row per fetched page. Seed 004's flux_id is the pipeline (pipeline_id here); its
-- integer business ids (fetching_id, processing_id, content_id) are the uuid ids.
-- Tenant rows follow 0050: organization_id everywhere, composite foreign keys, members
-- write, viewers read. The worker writes as the run's trigger user (or the pipeline's
-- creator) inside tenant transactions; only the checks that must see every tenant
-- (due pipelines, the instance-wide concurrency cap, stale runs) are SECURITY DEFINER.

-- Instance-wide templates (seed 004's seeding script): no organization, readable by anyone signed in.
create table ingest.workflow_templates (
  id uuid primary key default gen_random_uuid(),
  name varchar(200) not null,
  description text,
  status varchar(20) not null default 'active' check (status in ('active', 'inactive', 'archived')),
  configuration jsonb not null default '{}',
  template_name varchar(100) not null unique,
  category varchar(50),
  tags text[],
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger set_updated_at before update on ingest.workflow_templates for each row execute function app.set_updated_at();
insert into ingest.workflow_templates (name, description, status, configuration, template_name) values
  ('Data Processing Pipeline', 'Standard data processing workflow template', 'active',
   '{"stages": ["fetching", "processing", "normalization", "refinement", "calculation"], "timeout": 3600, "retries": 3}', 'data-processing'),
  ('Document Analysis', 'Document processing and analysis workflow template', 'active',
   '{"stages": ["fetching", "processing", "analysis"], "timeout": 1800, "retries": 2}', 'document-analysis');
alter table ingest.workflow_templates enable row level security;
alter table ingest.workflow_templates force row level security;
create policy workflow_templates_read on ingest.workflow_templates for select using ((select app.current_user_id()) is not null);
grant select on ingest.workflow_templates to tessera_runtime;

create table ingest.workflows (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  -- A pipeline has one workflow; a workflow without a pipeline is a free-standing definition.
  pipeline_id uuid unique,
  name varchar(200) not null check (length(btrim(name)) between 1 and 200),
  description text,
  status varchar(20) not null default 'active' check (status in ('active', 'inactive', 'archived')),
  configuration jsonb not null default '{}',
  schedule_cron varchar(100),
  -- The API fills it from the default_workflow_timeout setting when it creates a workflow.
  timeout_minutes integer not null default 60 check (timeout_minutes between 1 and 10080),
  max_retries integer not null default 3 check (max_retries between 0 and 20),
  category varchar(50),
  tags text[],
  version integer not null default 1,
  is_template boolean not null default false,
  template_name varchar(100),
  template_id uuid references ingest.workflow_templates (id) on delete set null,
  created_by uuid references auth.users (id) on delete set null,
  updated_by uuid references auth.users (id) on delete set null,
  parent_workflow_id uuid,
  -- Denormalized statistics, recomputed whenever a run ends.
  total_executions integer not null default 0,
  successful_executions integer not null default 0,
  failed_executions integer not null default 0,
  last_execution_at timestamptz,
  average_duration_minutes numeric(10, 2),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  archived_at timestamptz,
  unique (organization_id, id),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, parent_workflow_id) references ingest.workflows (organization_id, id) on delete set null (parent_workflow_id)
);
create index idx_workflows_org on ingest.workflows (organization_id, updated_at desc);
create index idx_workflows_status_updated on ingest.workflows (status, updated_at desc);
create index idx_workflows_name_trgm on ingest.workflows using gin (name public.gin_trgm_ops);
create index idx_workflows_created_by on ingest.workflows (created_by) where created_by is not null;
create index idx_workflows_category on ingest.workflows (category) where category is not null;
create index idx_workflows_tags on ingest.workflows using gin (tags);
create index idx_workflows_template on ingest.workflows (is_template, template_name) where is_template = true;
create index idx_workflows_parent on ingest.workflows (parent_workflow_id) where parent_workflow_id is not null;
create index idx_workflows_schedule on ingest.workflows (schedule_cron, status) where schedule_cron is not null;
create index idx_workflows_last_execution on ingest.workflows (last_execution_at desc) where last_execution_at is not null;
create index idx_active_workflows on ingest.workflows (updated_at desc) where status = 'active' and archived_at is null;
create index idx_workflow_config_gin on ingest.workflows using gin (configuration);
create index idx_workflow_name_search on ingest.workflows using gin (to_tsvector('english', name || ' ' || coalesce(description, '')));
create trigger set_updated_at before update on ingest.workflows for each row execute function app.set_updated_at();
create trigger audit_changes after insert or delete on ingest.workflows for each row execute function private.audit_row_change();
-- Every finished run refreshes the statistics columns: that alone is not worth an audit entry.
create trigger audit_updates after update on ingest.workflows for each row
  when ((to_jsonb(old) - array['total_executions', 'successful_executions', 'failed_executions', 'last_execution_at', 'average_duration_minutes', 'updated_at'])
        is distinct from (to_jsonb(new) - array['total_executions', 'successful_executions', 'failed_executions', 'last_execution_at', 'average_duration_minutes', 'updated_at']))
  execute function private.audit_row_change();

create table ingest.workflow_executions (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  workflow_id uuid not null,
  pipeline_id uuid,
  -- Allocated under the workflow's row lock: unique and gap-free per workflow.
  run_number integer not null check (run_number > 0),
  status varchar(20) not null default 'Created'
    check (status in ('Created', 'Queued', 'InProgress', 'Success', 'Failed', 'Cancelling', 'Cancelled', 'Timeout')),
  priority integer not null default 0,
  scheduled_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  duration_minutes numeric(12, 4),
  current_stage varchar(50),
  current_stage_order integer not null default 0,
  total_stages integer not null default 0,
  stages_completed integer not null default 0,
  progress_percentage numeric(5, 2) not null default 0 check (progress_percentage between 0 and 100),
  memory_usage_mb integer,
  cpu_usage_percentage numeric(5, 2),
  content_processed integer not null default 0,
  bytes_processed bigint not null default 0,
  error_message text,
  error_code varchar(50),
  error_stack text,
  retry_count integer not null default 0 check (retry_count >= 0),
  triggered_by varchar(50) not null default 'manual' check (triggered_by in ('manual', 'schedule', 'api', 'webhook')),
  trigger_user_id uuid references auth.users (id) on delete set null,
  environment_info jsonb,
  execution_context jsonb not null default '{}',
  -- A retry from the start points at the execution it retries.
  parent_execution_id uuid,
  cancel_requested_at timestamptz,
  timeout_at timestamptz,
  -- Written by the running worker every few seconds; a stale heartbeat means a dead worker.
  heartbeat_at timestamptz,
  -- The graphile-worker job (id:attempt) that claimed the run, to tell a re-run of a dead attempt from a live one.
  worker_job varchar(100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, workflow_id) references ingest.workflows (organization_id, id) on delete cascade,
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, parent_execution_id) references ingest.workflow_executions (organization_id, id) on delete set null (parent_execution_id)
);
create unique index idx_executions_workflow_run_number on ingest.workflow_executions (workflow_id, run_number);
create index idx_executions_org on ingest.workflow_executions (organization_id, created_at desc);
create index idx_executions_pipeline on ingest.workflow_executions (pipeline_id, run_number desc) where pipeline_id is not null;
create index idx_executions_workflow_started on ingest.workflow_executions (workflow_id, started_at desc);
create index idx_executions_status_created on ingest.workflow_executions (status, created_at desc);
create index idx_executions_run_number on ingest.workflow_executions (workflow_id, run_number desc);
create index idx_executions_scheduled on ingest.workflow_executions (scheduled_at) where scheduled_at is not null;
create index idx_executions_duration on ingest.workflow_executions (duration_minutes) where duration_minutes is not null;
create index idx_executions_triggered_by on ingest.workflow_executions (triggered_by, trigger_user_id);
create index idx_executions_parent on ingest.workflow_executions (parent_execution_id) where parent_execution_id is not null;
create index idx_executions_error on ingest.workflow_executions (status, error_code) where status = 'Failed';
create index idx_active_executions on ingest.workflow_executions (workflow_id, started_at desc)
  where status in ('Created', 'Queued', 'InProgress', 'Cancelling');
-- The instance-wide concurrency cap counts these.
create index idx_running_executions on ingest.workflow_executions (status) where status in ('InProgress', 'Cancelling');
create index idx_workflow_execution_summary_stats on ingest.workflow_executions (workflow_id, status, duration_minutes, content_processed);
create index idx_executions_workflow_status_date on ingest.workflow_executions (workflow_id, status, started_at desc);
create index idx_executions_status_duration on ingest.workflow_executions (status, duration_minutes desc) where duration_minutes is not null;
-- Seed 004's idx_recent_executions filtered on CURRENT_DATE, which an index predicate can't use.
create index idx_recent_executions on ingest.workflow_executions (started_at desc, workflow_id, status);
create index idx_execution_context_gin on ingest.workflow_executions using gin (execution_context);
create trigger set_updated_at before update on ingest.workflow_executions for each row execute function app.set_updated_at();

create table ingest.execution_stages (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  execution_id uuid not null,
  stage_name varchar(100) not null,
  stage_type varchar(50) not null check (stage_type in ('fetching', 'processing', 'normalization', 'refinement', 'calculation', 'analysis', 'storing', 'sinks')),
  stage_order integer not null,
  status varchar(20) not null default 'Created' check (status in ('Created', 'InProgress', 'Success', 'Failed', 'Skipped', 'Cancelled', 'Timeout')),
  started_at timestamptz,
  completed_at timestamptz,
  duration_seconds numeric(12, 3),
  items_to_process integer not null default 0,
  items_processed integer not null default 0,
  items_successful integer not null default 0,
  items_failed integer not null default 0,
  progress_percentage numeric(5, 2) not null default 0 check (progress_percentage between 0 and 100),
  throughput_per_second numeric(12, 2),
  memory_usage_mb integer,
  cpu_usage_percentage numeric(5, 2),
  stage_configuration jsonb,
  stage_output jsonb,
  stage_metadata jsonb,
  error_message text,
  error_details jsonb,
  -- The execution attempt (its retry_count) that last ran this stage.
  retry_count integer not null default 0,
  depends_on_stage_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, execution_id) references ingest.workflow_executions (organization_id, id) on delete cascade,
  foreign key (organization_id, depends_on_stage_id) references ingest.execution_stages (organization_id, id) on delete set null (depends_on_stage_id)
);
create unique index idx_stages_execution_order_unique on ingest.execution_stages (execution_id, stage_order);
create index idx_stages_org on ingest.execution_stages (organization_id, execution_id);
create index idx_stages_execution_order on ingest.execution_stages (execution_id, stage_order);
create index idx_stages_status_timing on ingest.execution_stages (status, started_at desc);
create index idx_stages_type_status on ingest.execution_stages (stage_type, status);
create index idx_stages_duration on ingest.execution_stages (duration_seconds desc) where duration_seconds is not null;
create index idx_stages_dependency on ingest.execution_stages (depends_on_stage_id) where depends_on_stage_id is not null;
create trigger set_updated_at before update on ingest.execution_stages for each row execute function app.set_updated_at();

create table ingest.fetching_history (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  pipeline_id uuid not null,
  data_source_id uuid,
  execution_id uuid,
  stage_id uuid,
  status varchar(20) not null default 'Created' check (status in ('Created', 'InProgress', 'Success', 'Failed', 'Cancelled')),
  "timestamp" timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  fetching_time_seconds numeric(12, 3),
  data_source_url text,
  data_source_type varchar(50),
  -- Non-secret connection settings only; credentials never land here.
  data_source_config jsonb,
  number_of_content integer not null default 0,
  total_size_bytes bigint not null default 0,
  content_types jsonb,
  throughput_mbps numeric(12, 2),
  requests_per_second numeric(12, 2),
  average_response_time_ms integer,
  error_message text,
  error_count integer not null default 0,
  retry_attempts integer not null default 0,
  fetching_config jsonb,
  -- Authorization, cookies and other secrets are redacted before they are stored.
  headers_sent jsonb,
  headers_received jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete set null (data_source_id),
  foreign key (organization_id, execution_id) references ingest.workflow_executions (organization_id, id) on delete set null (execution_id),
  foreign key (organization_id, stage_id) references ingest.execution_stages (organization_id, id) on delete set null (stage_id)
);
create index idx_fetching_org on ingest.fetching_history (organization_id, "timestamp" desc);
create index idx_fetching_flux_timestamp on ingest.fetching_history (pipeline_id, "timestamp" desc);
create index idx_fetching_status_completed on ingest.fetching_history (status, completed_at desc) where completed_at is not null;
create index idx_fetching_execution on ingest.fetching_history (execution_id) where execution_id is not null;
create index idx_fetching_data_source on ingest.fetching_history (data_source_type, data_source_url);
create index idx_fetching_size on ingest.fetching_history (total_size_bytes desc) where total_size_bytes > 0;
create index idx_fetching_performance on ingest.fetching_history (throughput_mbps desc) where throughput_mbps is not null;
create trigger set_updated_at before update on ingest.fetching_history for each row execute function app.set_updated_at();

create table ingest.processing_history (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  -- The fetch whose contents were processed (seed 004 requires one; pushed data has none).
  fetching_id uuid,
  pipeline_id uuid not null,
  execution_id uuid,
  stage_id uuid,
  status varchar(20) not null default 'Created' check (status in ('Created', 'InProgress', 'Success', 'Failed', 'Cancelled')),
  "timestamp" timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  processing_time_seconds numeric(12, 3),
  processing_type varchar(50),
  processing_algorithm varchar(100),
  processing_config jsonb,
  number_of_processing_content integer not null default 0,
  content_processed integer not null default 0,
  content_successful integer not null default 0,
  content_failed integer not null default 0,
  items_per_second numeric(12, 2),
  memory_usage_peak_mb integer,
  cpu_utilization_percentage numeric(5, 2),
  -- Percent of the processed records that came out as rows (successful / total × 100).
  accuracy_score numeric(5, 2),
  confidence_score numeric(5, 2),
  quality_metrics jsonb,
  error_message text,
  error_details jsonb,
  failed_items jsonb,
  processing_metadata jsonb,
  input_hash varchar(64),
  output_hash varchar(64),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, fetching_id) references ingest.fetching_history (organization_id, id) on delete cascade,
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, execution_id) references ingest.workflow_executions (organization_id, id) on delete set null (execution_id),
  foreign key (organization_id, stage_id) references ingest.execution_stages (organization_id, id) on delete set null (stage_id)
);
create index idx_processing_org on ingest.processing_history (organization_id, "timestamp" desc);
create index idx_processing_fetching_timestamp on ingest.processing_history (fetching_id, "timestamp" desc);
create index idx_processing_flux_type on ingest.processing_history (pipeline_id, processing_type);
create index idx_processing_status_timing on ingest.processing_history (status, completed_at desc);
create index idx_processing_execution on ingest.processing_history (execution_id) where execution_id is not null;
create index idx_processing_performance on ingest.processing_history (items_per_second desc) where items_per_second is not null;
create index idx_processing_quality on ingest.processing_history (accuracy_score desc, confidence_score desc);
create index idx_processing_algorithm on ingest.processing_history (processing_algorithm, processing_type);
create trigger set_updated_at before update on ingest.processing_history for each row execute function app.set_updated_at();

create table ingest.fetched_contents (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  fetching_id uuid not null,
  pipeline_id uuid not null,
  execution_id uuid,
  content_name varchar(500),
  content_type varchar(100),
  file_extension varchar(10),
  file_size_bytes bigint,
  mime_type varchar(100),
  encoding varchar(50),
  language varchar(10),
  source_url text,
  http_status integer,
  response_time_ms integer,
  record_count integer,
  status varchar(20) not null default 'fetched' check (status in ('fetched', 'processing', 'processed', 'failed', 'archived')),
  processing_priority integer not null default 0,
  storage_path text,
  storage_type varchar(50) not null default 'local',
  storage_metadata jsonb,
  content_hash varchar(64),
  -- The first 2 KB of the content as text.
  content_preview text check (octet_length(content_preview) <= 2048),
  word_count integer,
  page_count integer,
  content_category varchar(100),
  content_tags text[],
  classification_confidence numeric(5, 2),
  is_encrypted boolean not null default false,
  encryption_key_id varchar(100),
  virus_scan_status varchar(20) check (virus_scan_status in ('clean', 'infected', 'unknown')),
  virus_scan_at timestamptz,
  access_level varchar(20) not null default 'internal' check (access_level in ('public', 'internal', 'restricted', 'confidential')),
  owner_user_id uuid references auth.users (id) on delete set null,
  fetched_at timestamptz not null default now(),
  processed_at timestamptz,
  last_accessed_at timestamptz,
  expires_at timestamptz,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, fetching_id) references ingest.fetching_history (organization_id, id) on delete cascade,
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, execution_id) references ingest.workflow_executions (organization_id, id) on delete set null (execution_id)
);
create index idx_content_org on ingest.fetched_contents (organization_id, fetched_at desc);
create index idx_content_execution on ingest.fetched_contents (execution_id, fetched_at) where execution_id is not null;
create index idx_content_fetching_type on ingest.fetched_contents (fetching_id, content_type);
create index idx_content_status_priority on ingest.fetched_contents (status, processing_priority desc);
create index idx_content_flux_status on ingest.fetched_contents (pipeline_id, status);
create index idx_content_hash on ingest.fetched_contents (content_hash) where content_hash is not null;
create index idx_content_size on ingest.fetched_contents (file_size_bytes desc) where file_size_bytes is not null;
create index idx_content_category on ingest.fetched_contents (content_category) where content_category is not null;
create index idx_content_tags on ingest.fetched_contents using gin (content_tags);
create index idx_content_classification on ingest.fetched_contents (classification_confidence desc);
create index idx_content_security on ingest.fetched_contents (virus_scan_status, access_level);
create index idx_content_expiry on ingest.fetched_contents (expires_at) where expires_at is not null;
create index idx_content_name_search on ingest.fetched_contents using gin (content_name public.gin_trgm_ops);
create index idx_content_fulltext on ingest.fetched_contents using gin (to_tsvector('english', coalesce(content_name, '') || ' ' || coalesce(content_preview, '')));
create trigger set_updated_at before update on ingest.fetched_contents for each row execute function app.set_updated_at();

-- Policies: 0050's standard tenant policies.
call ops.apply_tenant_policies('ingest.workflows');
call ops.apply_tenant_policies('ingest.workflow_executions');
call ops.apply_tenant_policies('ingest.execution_stages');
call ops.apply_tenant_policies('ingest.fetching_history');
call ops.apply_tenant_policies('ingest.processing_history');
call ops.apply_tenant_policies('ingest.fetched_contents');

-- Seed 004's views, run with the caller's rights so the policies above apply to them.
create view ingest.workflow_execution_summary with (security_invoker = true) as
  select w.organization_id,
         w.id as workflow_id,
         w.pipeline_id,
         w.name as workflow_name,
         w.status as workflow_status,
         count(we.id) as total_executions,
         count(*) filter (where we.status = 'Success') as successful_executions,
         count(*) filter (where we.status in ('Failed', 'Timeout')) as failed_executions,
         count(*) filter (where we.status in ('InProgress', 'Cancelling')) as active_executions,
         round(count(*) filter (where we.status = 'Success')::numeric / nullif(count(we.id), 0) * 100, 2) as success_rate_percentage,
         avg(we.duration_minutes) as avg_duration_minutes,
         min(we.duration_minutes) as min_duration_minutes,
         max(we.duration_minutes) as max_duration_minutes,
         max(we.started_at) as last_execution_at,
         sum(we.content_processed) as total_content_processed,
         avg(we.content_processed) as avg_content_per_execution
    from ingest.workflows w
    left join ingest.workflow_executions we on we.workflow_id = w.id and we.organization_id = w.organization_id
   where w.archived_at is null
   group by w.organization_id, w.id, w.pipeline_id, w.name, w.status;

create view ingest.daily_execution_metrics with (security_invoker = true) as
  select we.organization_id,
         (we.started_at at time zone 'UTC')::date as execution_date,
         count(*) as total_executions,
         count(*) filter (where we.status = 'Success') as successful_executions,
         count(*) filter (where we.status in ('Failed', 'Timeout')) as failed_executions,
         avg(we.duration_minutes) as avg_duration_minutes,
         sum(we.content_processed) as total_content_processed,
         count(distinct we.workflow_id) as unique_workflows_executed,
         avg(we.duration_minutes) filter (where we.status = 'Success') as avg_successful_duration,
         avg(we.duration_minutes) filter (where we.status in ('Failed', 'Timeout')) as avg_failed_duration
    from ingest.workflow_executions we
   where we.started_at is not null
     and we.started_at >= current_date - interval '90 days'
   group by we.organization_id, (we.started_at at time zone 'UTC')::date
   order by execution_date desc;

create view ingest.performance_metrics with (security_invoker = true) as
  select w.organization_id,
         'workflow'::text as metric_type,
         w.id::text as entity_id,
         w.name::text as entity_name,
         count(we.id) as execution_count,
         avg(we.duration_minutes) as avg_duration,
         percentile_cont(0.95) within group (order by we.duration_minutes) as p95_duration,
         avg(we.content_processed) as avg_throughput,
         stddev(we.duration_minutes) as duration_stddev,
         max(we.started_at) as last_execution
    from ingest.workflows w
    join ingest.workflow_executions we on we.workflow_id = w.id and we.organization_id = w.organization_id
   where we.completed_at is not null
     and w.archived_at is null
   group by w.organization_id, w.id, w.name
  union all
  select es.organization_id,
         'stage'::text,
         es.stage_type::text,
         es.stage_type::text,
         count(es.id),
         avg(es.duration_seconds / 60.0),
         percentile_cont(0.95) within group (order by es.duration_seconds / 60.0),
         avg(es.items_processed),
         stddev(es.duration_seconds / 60.0),
         max(es.started_at)
    from ingest.execution_stages es
   where es.completed_at is not null
   group by es.organization_id, es.stage_type;

grant select on ingest.workflow_execution_summary, ingest.daily_execution_metrics, ingest.performance_metrics to tessera_runtime;

-- Seed 004's get_workflow_statistics over [p_from, p_to] (default: the last 30 days), with the
-- success rate of the previous period of equal length for the trend. Failed counts Timeout too.
create function ingest.get_workflow_statistics(p_workflow_id uuid, p_from timestamptz default null, p_to timestamptz default null)
  returns table (
    total_executions integer,
    successful_executions integer,
    failed_executions integer,
    success_rate numeric(5, 2),
    avg_duration_minutes numeric(10, 2),
    median_duration_minutes numeric(10, 2),
    total_content_processed bigint,
    avg_content_per_execution numeric(10, 2),
    last_execution_date timestamptz,
    previous_success_rate numeric(5, 2),
    trend_direction varchar(10),
    period_start timestamptz,
    period_end timestamptz)
  language sql stable security invoker
  set search_path = ''
  as $$
    with period as (
      select coalesce(p_from, coalesce(p_to, now()) - interval '30 days') as start_at, coalesce(p_to, now()) as end_at
    ), current_period as (
      select count(*)::integer as total,
             count(*) filter (where we.status = 'Success')::integer as successful,
             count(*) filter (where we.status in ('Failed', 'Timeout'))::integer as failed,
             round(count(*) filter (where we.status = 'Success')::numeric / nullif(count(*), 0) * 100, 2) as rate,
             round(avg(we.duration_minutes), 2) as avg_duration,
             round((percentile_cont(0.5) within group (order by we.duration_minutes))::numeric, 2) as median_duration,
             coalesce(sum(we.content_processed), 0)::bigint as content,
             round(avg(we.content_processed), 2) as avg_content,
             max(we.started_at) as last_started
        from ingest.workflow_executions we, period
       where we.workflow_id = p_workflow_id
         and we.started_at >= period.start_at and we.started_at <= period.end_at
    ), previous_period as (
      select round(count(*) filter (where we.status = 'Success')::numeric / nullif(count(*), 0) * 100, 2) as rate
        from ingest.workflow_executions we, period
       where we.workflow_id = p_workflow_id
         and we.started_at >= period.start_at - (period.end_at - period.start_at) and we.started_at < period.start_at
    )
    select c.total, c.successful, c.failed, c.rate, c.avg_duration, c.median_duration, c.content, c.avg_content,
           c.last_started, p.rate,
           (case
              when p.rate is null or c.rate is null then 'unknown'
              when c.rate > p.rate then 'improving'
              when c.rate < p.rate then 'declining'
              else 'stable' end)::varchar(10),
           period.start_at, period.end_at
      from current_period c, previous_period p, period
  $$;
revoke all on function ingest.get_workflow_statistics(uuid, timestamptz, timestamptz) from public;
grant execute on function ingest.get_workflow_statistics(uuid, timestamptz, timestamptz) to tessera_runtime;

-- The definer reads these columns for the cross-tenant helpers below, and nothing more.
grant select (id, organization_id, type, status, next_run_at, created_by) on ingest.pipelines to tessera_definer;
grant select (id, organization_id, created_by, timeout_minutes) on ingest.workflows to tessera_definer;
grant select (id, organization_id, workflow_id, pipeline_id, status, trigger_user_id, scheduled_at, started_at,
              timeout_at, heartbeat_at, created_at, updated_at) on ingest.workflow_executions to tessera_definer;

-- Who a system job acts as inside an organization: the first preferred user who may still
-- write there (owner, admin, member), else the organization's longest-standing owner.
create function private.workflow_actor(p_organization_id uuid, p_preferred uuid[]) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return coalesce(
    (select m.user_id
       from unnest(p_preferred) with ordinality as p(user_id, position)
       join app.organization_members m on m.user_id = p.user_id and m.organization_id = p_organization_id
       join auth.users u on u.id = m.user_id
      where m.status = 'active' and m.role in ('owner', 'admin', 'member') and u.status = 'active'
      order by p.position
      limit 1),
    (select m.user_id
       from app.organization_members m
       join auth.users u on u.id = m.user_id
      where m.organization_id = p_organization_id and m.status = 'active' and m.role = 'owner' and u.status = 'active'
      order by m.created_at, m.user_id
      limit 1));
end
$$;

-- The user a run of the worker acts as: its trigger user, else the pipeline's or workflow's
-- creator (see private.workflow_actor). NULL when the execution is not in that organization.
create function private.workflow_run_actor(p_organization_id uuid, p_execution_id uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  v_preferred uuid[];
begin
  select array[e.trigger_user_id, p.created_by, w.created_by] into v_preferred
    from ingest.workflow_executions e
    join ingest.workflows w on w.id = e.workflow_id
    left join ingest.pipelines p on p.id = e.pipeline_id
   where e.id = p_execution_id and e.organization_id = p_organization_id;
  if not found then
    return null;
  end if;
  return private.workflow_actor(p_organization_id, v_preferred);
end
$$;

-- Active polling pipelines whose next run is due and that have no run under way, across
-- organizations: the one place the scheduler enumerates tenants.
create function private.due_pipelines()
  returns table (id uuid, organization_id uuid, created_by uuid, acting_user_id uuid)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select p.id, p.organization_id, p.created_by, private.workflow_actor(p.organization_id, array[p.created_by])
      from ingest.pipelines p
      join app.organizations o on o.id = p.organization_id and o.deleted_at is null
     where p.status = 'active' and p.type = 'polling'
       and (p.next_run_at is null or p.next_run_at <= now())
       and not exists (
         select 1 from ingest.workflow_executions e
          where e.pipeline_id = p.id and e.status in ('Created', 'Queued', 'InProgress', 'Cancelling'))
     order by p.next_run_at nulls first
     limit 500;
end
$$;

-- Serializes slot claims instance-wide (transaction-scoped advisory lock, held until the
-- caller commits its InProgress update) and says whether a slot is free under the
-- max_concurrent_workflows setting. Running and cancelling runs hold a slot.
create function private.acquire_workflow_slot() returns boolean
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_max integer;
  v_running integer;
begin
  perform pg_advisory_xact_lock(727274060);
  select s.setting_value::integer into v_max
    from app.system_settings s
   where s.setting_key = 'max_concurrent_workflows'
     and s.environment in ('all', coalesce(nullif(current_setting('app.environment', true), ''), 'development'))
   order by s.environment = 'all'
   limit 1;
  select count(*) into v_running from ingest.workflow_executions where status in ('InProgress', 'Cancelling');
  return v_running < coalesce(v_max, 5);
end
$$;

-- Runs the sweeper must settle: running ones whose worker has been silent for p_grace_seconds
-- (or for the workflow's whole timeout, when shorter) or that are p_grace_seconds past their
-- deadline, and queued ones that should have started p_grace_seconds ago (the caller checks
-- whether their job is still in the queue).
create function private.stale_workflow_executions(p_grace_seconds integer)
  returns table (id uuid, organization_id uuid, status text, acting_user_id uuid)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select e.id, e.organization_id, e.status::text,
           private.workflow_actor(e.organization_id, array[e.trigger_user_id, p.created_by, w.created_by])
      from ingest.workflow_executions e
      join ingest.workflows w on w.id = e.workflow_id
      left join ingest.pipelines p on p.id = e.pipeline_id
     where (e.status in ('InProgress', 'Cancelling')
            and (coalesce(e.heartbeat_at, e.started_at, e.updated_at) < now() - make_interval(secs => least(w.timeout_minutes * 60, p_grace_seconds))
                 or e.timeout_at < now() - make_interval(secs => p_grace_seconds)))
        or (e.status in ('Created', 'Queued') and coalesce(e.scheduled_at, e.created_at) < now() - make_interval(secs => p_grace_seconds))
     limit 500;
end
$$;

select ops.secure_private_functions();
