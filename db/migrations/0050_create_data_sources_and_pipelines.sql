-- Data in (seeds 000 and 001): data sources, pipelines with their mapping and sinks, the
-- time-partitioned pipeline_data, ingestion jobs and ingest idempotency keys.
-- Members create and edit content; viewers read; every row carries organization_id.

create schema if not exists ingest;
revoke all on schema ingest from public;
grant usage on schema ingest to tessera_runtime, tessera_definer;

-- seed 000 data_sources. connection_config holds only allowlisted, non-secret keys; secrets
-- live in credentials_encrypted (AES-256-GCM, `v1:<keyId>:…`), never returned by the API.
create table app.data_sources (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  name varchar(255) not null check (length(btrim(name)) between 1 and 255),
  description text,
  type varchar(50) not null check (type in ('postgresql', 'mysql', 'api', 'csv', 'push', 'mongodb', 'bigquery')),
  connection_config jsonb not null default '{}',
  credentials_encrypted text,
  schema_metadata jsonb not null default '{}',
  health_status varchar(20) not null default 'unknown' check (health_status in ('healthy', 'degraded', 'unhealthy', 'unknown')),
  last_health_check timestamptz,
  last_health_error text,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, name),
  unique (organization_id, id)
);
create index idx_data_sources_org on app.data_sources (organization_id);
create index idx_data_sources_health on app.data_sources (health_status, last_health_check);
create trigger set_updated_at before update on app.data_sources for each row execute function app.set_updated_at();
create trigger audit_changes after insert or update or delete on app.data_sources for each row execute function private.audit_row_change();

-- seed 001 pipelines.
create table ingest.pipelines (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  team_id uuid,
  name varchar(255) not null check (length(btrim(name)) between 1 and 255),
  description text,
  type varchar(20) not null check (type in ('polling', 'realtime', 'p2p')),
  status varchar(20) not null default 'active' check (status in ('active', 'paused', 'error')),
  status_reason text,
  interval_seconds integer check (interval_seconds is null or interval_seconds between 10 and 31536000),
  cron_schedule varchar(100),
  source_type varchar(50),
  data_source_id uuid,
  source_config jsonb not null default '{}',
  source_config_encrypted text,
  retention_days integer check (retention_days is null or retention_days > 0),
  persist_data boolean not null default true,
  -- SHA-256 of the webhook path secret; the secret is shown once.
  webhook_secret_hash varchar(64),
  last_run_at timestamptz,
  next_run_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, name),
  unique (organization_id, id),
  foreign key (organization_id, team_id) references app.teams (organization_id, id) on delete set null (team_id),
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete set null (data_source_id),
  -- p2p pipelines forward to sinks and keep nothing.
  check (type <> 'p2p' or persist_data = false),
  check (type <> 'polling' or interval_seconds is not null or cron_schedule is not null)
);
create index idx_pipelines_org on ingest.pipelines (organization_id, created_at desc);
create index idx_pipelines_due on ingest.pipelines (next_run_at) where status = 'active' and type = 'polling';
create index idx_pipelines_data_source on ingest.pipelines (data_source_id) where data_source_id is not null;
create trigger set_updated_at before update on ingest.pipelines for each row execute function app.set_updated_at();
create trigger audit_changes after insert or update or delete on ingest.pipelines for each row execute function private.audit_row_change();

create table ingest.pipeline_sinks (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  pipeline_id uuid not null,
  sink_type varchar(50) not null check (sink_type in ('webhook', 'postgresql', 'pipeline')),
  name varchar(255),
  sink_config jsonb not null default '{}',
  sink_config_encrypted text,
  target_pipeline_id uuid,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, target_pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  check (sink_type <> 'pipeline' or target_pipeline_id is not null),
  check (target_pipeline_id is null or target_pipeline_id <> pipeline_id)
);
create index idx_pipeline_sinks_pipeline on ingest.pipeline_sinks (organization_id, pipeline_id);
create trigger set_updated_at before update on ingest.pipeline_sinks for each row execute function app.set_updated_at();
create trigger audit_changes after insert or update or delete on ingest.pipeline_sinks for each row execute function private.audit_row_change();

create table ingest.data_mappings (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  pipeline_id uuid not null,
  source_schema jsonb not null default '{}',
  mappings jsonb not null default '[]',
  transformations jsonb not null default '[]',
  timestamp_field varchar(255),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (pipeline_id),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade
);
create index idx_data_mappings_org on ingest.data_mappings (organization_id);
create trigger set_updated_at before update on ingest.data_mappings for each row execute function app.set_updated_at();
create trigger audit_changes after insert or update or delete on ingest.data_mappings for each row execute function private.audit_row_change();

-- seed 001 pipeline_data, partitioned by day on ingested_at (the seed's hypertable key): a
-- write always lands in today's partition whatever the record's own time, so an old record
-- can never meet a missing partition. record_time is the mapped time of the record.
create table ingest.pipeline_data (
  id bigint generated always as identity,
  pipeline_id uuid not null,
  organization_id uuid not null,
  data jsonb not null,
  ingested_at timestamptz not null default now(),
  record_time timestamptz not null default now(),
  ingestion_job_id uuid,
  primary key (pipeline_id, ingested_at, id)
) partition by range (ingested_at);
create index idx_pipeline_data_pipeline_time on ingest.pipeline_data (pipeline_id, ingested_at desc);
create index idx_pipeline_data_record_time on ingest.pipeline_data (pipeline_id, record_time desc);
create index idx_pipeline_data_team on ingest.pipeline_data (organization_id);
create index idx_pipeline_data_gin on ingest.pipeline_data using gin (data);
create index idx_pipeline_data_brin on ingest.pipeline_data using brin (ingested_at);
select ops.ensure_partitions('ingest.pipeline_data', 'day', 7, 1);

-- seed 000 data_ingestion_jobs: one row per pushed batch or pipeline run.
create table ingest.data_ingestion_jobs (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  pipeline_id uuid,
  data_source_id uuid,
  job_type varchar(50) not null check (job_type in ('full', 'incremental', 'real_time')),
  status varchar(20) not null default 'pending' check (status in ('pending', 'running', 'completed', 'failed')),
  records_processed integer not null default 0,
  records_failed integer not null default 0,
  bytes_processed bigint not null default 0,
  error_message text,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  metadata jsonb not null default '{}',
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete set null (data_source_id)
);
create index idx_ingestion_jobs_pipeline on ingest.data_ingestion_jobs (organization_id, pipeline_id, started_at desc);
create index idx_ingestion_jobs_status on ingest.data_ingestion_jobs (status, started_at desc);

-- Idempotency-Key of the ingest API: a completed key replays its stored answer; a key in
-- flight answers 409; the same key with another body answers 422.
create table ingest.idempotency_keys (
  organization_id uuid not null references app.organizations (id) on delete cascade,
  pipeline_id uuid not null,
  idempotency_key varchar(255) not null,
  request_hash varchar(64) not null,
  status varchar(20) not null default 'in_flight' check (status in ('in_flight', 'completed')),
  response_status integer,
  response_body jsonb,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (organization_id, pipeline_id, idempotency_key),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade
);
create index idx_idempotency_keys_created on ingest.idempotency_keys (created_at);

-- The standard policies of a content table: every member of the request's organization reads;
-- owners, admins and members write; viewers only read. One procedure so that every later
-- tenant table gets exactly these policies with one call.
create procedure ops.apply_tenant_policies(p_table regclass)
  language plpgsql
  set search_path = ''
  as $$
begin
  execute format('alter table %s enable row level security', p_table);
  execute format('alter table %s force row level security', p_table);
  execute format($p$create policy tenant_read on %s for select
    using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)$p$, p_table);
  execute format($p$create policy tenant_write on %s for insert
    with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin', 'member'))$p$, p_table);
  execute format($p$create policy tenant_update on %s for update
    using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin', 'member'))
    with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin', 'member'))$p$, p_table);
  execute format($p$create policy tenant_delete on %s for delete
    using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin', 'member'))$p$, p_table);
  execute format('grant select, insert, update, delete on %s to tessera_runtime', p_table);
end
$$;

call ops.apply_tenant_policies('app.data_sources');
call ops.apply_tenant_policies('ingest.pipelines');
call ops.apply_tenant_policies('ingest.pipeline_sinks');
call ops.apply_tenant_policies('ingest.data_mappings');
call ops.apply_tenant_policies('ingest.pipeline_data');
call ops.apply_tenant_policies('ingest.data_ingestion_jobs');
call ops.apply_tenant_policies('ingest.idempotency_keys');
