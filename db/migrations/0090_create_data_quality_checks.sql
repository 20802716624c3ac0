-- Data quality checks (seed 000 data_quality_checks), per pipeline: completeness, accuracy and
-- consistency run on every ingested batch and every pipeline run; freshness runs every minute
-- in the worker. The check row keeps seed 000's result/passed/executed_at as the latest
-- result; data_quality_results keeps the history (bounded: data-quality:cleanup deletes rows
-- older than ingest.quality_results_retention_days).

create table ingest.data_quality_checks (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  pipeline_id uuid not null,
  -- Seed 000 ties a check to a data source: the pipeline's, when it has one.
  data_source_id uuid,
  name varchar(200) not null check (length(btrim(name)) between 1 and 200),
  check_type varchar(50) not null check (check_type in ('completeness', 'accuracy', 'consistency', 'freshness')),
  check_config jsonb not null,
  enabled boolean not null default true,
  on_failure varchar(10) not null default 'warn' check (on_failure in ('warn', 'pause')),
  -- A batch passes when at least this share of its checked rows pass.
  threshold numeric(5, 4) not null default 1 check (threshold between 0 and 1),
  result jsonb,
  passed boolean,
  executed_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  unique (pipeline_id, name),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete set null (data_source_id)
);
create index idx_quality_checks_pipeline on ingest.data_quality_checks (organization_id, pipeline_id);
-- The freshness job enumerates these every minute.
create index idx_quality_checks_freshness on ingest.data_quality_checks (pipeline_id) where enabled and check_type = 'freshness';
-- Every batch rewrites the latest result: only changes people make bump updated_at and are audited.
create trigger set_updated_at before update on ingest.data_quality_checks for each row
  when ((to_jsonb(old) - array['result', 'passed', 'executed_at', 'updated_at']) is distinct from (to_jsonb(new) - array['result', 'passed', 'executed_at', 'updated_at']))
  execute function app.set_updated_at();
create trigger audit_changes after insert or delete on ingest.data_quality_checks for each row execute function private.audit_row_change();
create trigger audit_changes_update after update on ingest.data_quality_checks for each row
  when ((to_jsonb(old) - array['result', 'passed', 'executed_at', 'updated_at']) is distinct from (to_jsonb(new) - array['result', 'passed', 'executed_at', 'updated_at']))
  execute function private.audit_row_change();

-- One row per evaluation: counts and the first failing rows in `result`.
create table ingest.data_quality_results (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  check_id uuid not null,
  pipeline_id uuid not null,
  execution_id uuid,
  ingestion_job_id uuid,
  trigger varchar(20) not null check (trigger in ('batch', 'run', 'schedule', 'manual')),
  passed boolean not null,
  result jsonb not null,
  executed_at timestamptz not null default now(),
  foreign key (organization_id, check_id) references ingest.data_quality_checks (organization_id, id) on delete cascade,
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, execution_id) references ingest.workflow_executions (organization_id, id) on delete set null (execution_id)
);
create index idx_quality_results_check on ingest.data_quality_results (check_id, executed_at desc);
create index idx_quality_results_org on ingest.data_quality_results (organization_id, pipeline_id);
-- The cleanup deletes by age across organizations.
create index idx_quality_results_executed on ingest.data_quality_results (executed_at);

call ops.apply_tenant_policies('ingest.data_quality_checks');
call ops.apply_tenant_policies('ingest.data_quality_results');

-- How long evaluation results are kept (latest results stay on the check).
alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('ingest.quality_results_retention_days', 'ingest', 'Data quality result history (days)', 'Results of data quality checks older than this are deleted daily; each check keeps its latest result', '30', 'integer', '30', 1, 3650, false, false, false, 'performance');
alter table app.system_settings force row level security;

-- data-quality:freshness (every minute) is the one place that enumerates freshness checks
-- across organizations. It returns ids and the user to act as (the check's creator, the
-- pipeline's, else an owner: private.workflow_actor); each check is then evaluated in a
-- tenant transaction as that user, under the normal policies. Paused pipelines are skipped:
-- they receive no data by design.
grant select (id, organization_id, pipeline_id, check_type, enabled, created_by) on ingest.data_quality_checks to tessera_definer;
create function private.freshness_checks_due()
  returns table (check_id uuid, pipeline_id uuid, organization_id uuid, acting_user_id uuid)
  language sql stable security definer set search_path = ''
  as $$
    select c.id, c.pipeline_id, c.organization_id, private.workflow_actor(c.organization_id, array[c.created_by, p.created_by])
      from ingest.data_quality_checks c
      join ingest.pipelines p on p.id = c.pipeline_id and p.organization_id = c.organization_id
      join app.organizations o on o.id = c.organization_id and o.deleted_at is null
     where c.enabled and c.check_type = 'freshness' and p.status = 'active'
     order by c.organization_id, c.id
$$;

-- data-quality:cleanup deletes old results of every organization, p_limit rows per call
-- (the caller loops), so no single statement holds many locks or runs long.
grant select (id, executed_at), delete on ingest.data_quality_results to tessera_definer;
create function private.cleanup_quality_results(p_before timestamptz, p_limit integer)
  returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_deleted integer;
begin
  delete from ingest.data_quality_results
   where id in (select r.id from ingest.data_quality_results r where r.executed_at < p_before limit p_limit);
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

select ops.secure_private_functions();
