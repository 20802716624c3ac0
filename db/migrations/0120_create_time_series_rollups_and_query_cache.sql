-- Incremental rollups of metric points (seed 000's aggregated_metrics and aggregation_jobs, seed
-- 001's continuous aggregate), the series query cache (seed 000's query_cache) and the query
-- performance log (seed 000's query_performance_logs, in schema telemetry as DESIGN.md places it).
--
-- The invariant the series engine relies on: a rollup row of bucket [b, b + level) is exact
-- whenever b + level <= the watermark and no ts.rollup_invalidations row of its metric overlaps
-- the bucket. Every ingest batch writes its invalidation rows in its own transaction, and the
-- rollup job recomputes a bucket only from a snapshot that sees every batch whose invalidation
-- it consumes; a batch committed later keeps its invalidation pending, so the engine reads that
-- bucket raw until the next run.

-- The transaction that wrote an invalidation, so that a cached answer can tell whether it
-- already saw that batch (pg_visible_in_snapshot against the snapshot the answer was computed
-- in). created_at cannot: it is when the batch's transaction started, not when it committed.
alter table ts.rollup_invalidations add column xact_id xid8 not null default pg_current_xact_id();

-- seed 000 aggregated_metrics, plus organization_id and sum_value (the partial state merged into
-- avg = sum/count over several rows). value is the metric's own aggregation_type over the
-- bucket, kept for readers of the seed's shape; it is unbounded numeric because a sum of
-- numeric(15,4) points can exceed numeric(15,4).
create table ts.aggregated_metrics (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  metric_id uuid not null,
  aggregation_level varchar(20) not null check (aggregation_level in ('minute', 'hour', 'day', 'week', 'month')),
  -- The UTC hour or UTC day the row covers (the job maintains 'hour' and 'day').
  time_bucket timestamptz not null,
  value numeric not null,
  count integer not null default 1 check (count > 0),
  sum_value numeric not null,
  min_value numeric(15, 4),
  max_value numeric(15, 4),
  dimensions jsonb not null default '{}',
  computed_at timestamptz not null default now(),
  unique (metric_id, aggregation_level, time_bucket, dimensions)
);
create index idx_aggregated_metrics_lookup on ts.aggregated_metrics (metric_id, aggregation_level, time_bucket);
create index idx_aggregated_metrics_org on ts.aggregated_metrics (organization_id, metric_id);
call ops.apply_tenant_policies('ts.aggregated_metrics');

-- seed 000 aggregation_jobs. One rollup run covers every tenant's invalidations at once, so a
-- run is an instance-wide operation and its record lives in ops without organization_id;
-- metric_id is set when a run touched a single metric (no foreign key: metrics are tenant rows).
create table ops.aggregation_jobs (
  id uuid primary key default gen_random_uuid(),
  metric_id uuid,
  aggregation_level varchar(20) not null check (aggregation_level in ('minute', 'hour', 'day', 'week', 'month')),
  time_range_start timestamptz not null,
  time_range_end timestamptz not null,
  status varchar(20) not null default 'pending' check (status in ('pending', 'running', 'completed', 'failed')),
  scheduled_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  error_message text,
  duration_ms integer,
  invalidations integer not null default 0,
  metrics integer not null default 0,
  rows_written integer not null default 0
);
create index idx_aggregation_jobs_scheduled on ops.aggregation_jobs (scheduled_at desc);
grant select on ops.aggregation_jobs to tessera_runtime;
grant select, insert on ops.aggregation_jobs to tessera_definer;

-- The watermark: hours ending at or before it are maintained in ts.aggregated_metrics. Its
-- updated_at moves only when a run consumed invalidations: the query cache's generation.
insert into ops.rollup_watermarks (name, watermark) values ('ts.aggregated_metrics', '-infinity');

-- seed 000 query_cache, plus what invalidation needs: the metric and time range the answer
-- covers, the snapshot it was computed in, and the rollup generation it saw.
create table ts.query_cache (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  metric_id uuid not null,
  -- org id + metric id + query_hash: unique across tenants by construction.
  cache_key varchar(255) not null unique,
  query_hash varchar(64) not null,
  result_data jsonb not null,
  range_start timestamptz not null,
  range_end timestamptz not null,
  computed_snapshot pg_snapshot not null,
  rollup_generation timestamptz,
  hits integer not null default 0,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index idx_query_cache_key on ts.query_cache (cache_key);
create index idx_query_cache_expires on ts.query_cache (expires_at);
create index idx_query_cache_metric on ts.query_cache (organization_id, metric_id, range_start);

-- seed 000 query_performance_logs (query_id: a saved query, when one ran).
create schema if not exists telemetry;
revoke all on schema telemetry from public;
grant usage on schema telemetry to tessera_runtime, tessera_definer;
create table telemetry.query_performance_logs (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  query_id uuid,
  query_kind varchar(40) not null check (query_kind in ('metric_series', 'pipeline_series')),
  metric_id uuid,
  pipeline_id uuid,
  execution_time_ms integer not null check (execution_time_ms >= 0),
  rows_returned integer,
  cache_hit boolean not null default false,
  source varchar(20),
  executed_at timestamptz not null default now()
);
create index idx_query_performance_logs_org on telemetry.query_performance_logs (organization_id, executed_at desc);

-- Any member reads series, viewers included, and every read fills the cache and the log: these
-- two tables take writes from every active member of the organization (not only writers).
do $$
declare
  t text;
begin
  foreach t in array array['ts.query_cache', 'telemetry.query_performance_logs'] loop
    execute format('alter table %s enable row level security', t);
    execute format('alter table %s force row level security', t);
    execute format($p$create policy tenant_member_all on %s
      using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)
      with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)$p$, t);
    execute format('grant select, insert, update, delete on %s to tessera_runtime', t);
  end loop;
end
$$;

-- What the rollup function reads and writes as tessera_definer (see below for why definer).
grant select (organization_id, metric_id, "timestamp", value, dimensions) on ts.time_series_data to tessera_definer;
grant select (organization_id, metric_id, "timestamp", value, dimensions) on ts.time_series_late to tessera_definer;
grant select (organization_id, metric_id, day, dimensions, first_ts, ts_deltas, "values") on ts.time_series_segments to tessera_definer;
grant select, update, delete on ts.rollup_invalidations to tessera_definer;
grant select, insert, delete on ts.aggregated_metrics to tessera_definer;
grant select, delete on ts.query_cache to tessera_definer;
grant select (id, aggregation_type) on app.metrics to tessera_definer;

-- The rollup function itself: 0121.
