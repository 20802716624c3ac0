-- Saved queries (issue 5; seed 000 queries): user-written SQL run against an external
-- PostgreSQL or MySQL data source (never against Tessera's own database), with typed
-- {{name}} parameters compiled to bind parameters, a row limit and a statement timeout in a
-- read-only transaction. Results are cached for cache_duration seconds in
-- app.saved_query_results, and every execution is logged in telemetry.query_performance_logs
-- (query_kind 'saved_query', query_id).

-- seed 000 queries, plus what execution needs: parameter definitions, row limit, timeout.
create table app.queries (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  data_source_id uuid not null,
  name varchar(255) not null check (length(btrim(name)) between 1 and 255),
  description text,
  query_text text not null check (length(query_text) between 1 and 100000),
  -- [{name, type: text|number|date|list, default?, required}] (the service validates the shape).
  parameters jsonb not null default '[]' check (jsonb_typeof(parameters) = 'array'),
  -- The columns ({name, type}) of the last successful run.
  result_schema jsonb not null default '{}',
  cache_duration integer not null default 300 check (cache_duration between 0 and 86400),
  row_limit integer not null default 1000 check (row_limit between 1 and 100000),
  timeout_ms integer not null default 30000 check (timeout_ms between 100 and 300000),
  last_run_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete cascade
);
create index idx_queries_org on app.queries (organization_id, name);
create index idx_queries_data_source on app.queries (organization_id, data_source_id);
create trigger set_updated_at before update of name, description, query_text, parameters, cache_duration, row_limit, timeout_ms, data_source_id
  on app.queries for each row execute function app.set_updated_at();
create trigger audit_changes after insert or delete or update of name, description, query_text, parameters, cache_duration, row_limit, timeout_ms, data_source_id
  on app.queries for each row execute function private.audit_row_change();
-- Members and above write; viewers read (and run: running writes only the cache and the log).
call ops.apply_tenant_policies('app.queries');

-- Cached results of a saved query, one row per distinct (query text, source, parameters,
-- limit): cache_key is a SHA-256 of those, so an edited query never serves an old answer.
create table app.saved_query_results (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  query_id uuid not null,
  cache_key varchar(64) not null,
  result_data jsonb not null,
  computed_at timestamptz not null default now(),
  expires_at timestamptz not null,
  unique (organization_id, query_id, cache_key),
  foreign key (organization_id, query_id) references app.queries (organization_id, id) on delete cascade
);
create index idx_saved_query_results_expires on app.saved_query_results (expires_at);
alter table app.saved_query_results enable row level security;
alter table app.saved_query_results force row level security;
-- Any active member (viewers too) runs a saved query, so any member fills the cache.
create policy tenant_member_all on app.saved_query_results
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
grant select, insert, update, delete on app.saved_query_results to tessera_runtime;

-- Executions of saved queries join the performance log. The check's name carries a suffix
-- from 0182's swap, so it is found by its column rather than by name.
do $$
declare
  v_name text;
begin
  for v_name in
    select c.conname from pg_catalog.pg_constraint c
     where c.conrelid = 'telemetry.query_performance_logs'::regclass and c.contype = 'c'
       and pg_catalog.pg_get_constraintdef(c.oid) like '%query_kind%'
  loop
    execute format('alter table telemetry.query_performance_logs drop constraint %I', v_name);
  end loop;
end
$$;
alter table telemetry.query_performance_logs add constraint query_performance_logs_query_kind_check
  check (query_kind in ('metric_series', 'pipeline_series', 'saved_query'));
create index idx_query_performance_logs_query on telemetry.query_performance_logs (organization_id, query_id, executed_at desc) where query_id is not null;
