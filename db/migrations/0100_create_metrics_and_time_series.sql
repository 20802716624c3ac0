-- Time series (issue 4; seeds 000 and 001): metrics and KPIs (schema app, as DESIGN.md places
-- them), raw points partitioned by day in schema ts, the log of time ranges each ingest batch
-- touched (rollups recompute only those), and the compressed per-series day segments that old
-- partitions are rewritten into. Rollup, cache, retention and archive tables come with the
-- mechanisms that own them (later migrations).

create schema if not exists ts;
revoke all on schema ts from public;
grant usage on schema ts to tessera_runtime, tessera_definer;

-- seed 000 metrics. Where points come from: pushed through the API (source 'push'), a numeric
-- field of a pipeline's records (source 'pipeline': pipeline_id + value_path, dimensions from
-- dimension_paths), or a scheduled SQL calculation over a data source (source 'data_source':
-- data_source_id + calculation_method, every refresh_frequency seconds).
create table app.metrics (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  name varchar(255) not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$'),
  display_name varchar(255) not null check (length(btrim(display_name)) between 1 and 255),
  description text,
  unit varchar(50) not null default 'count',
  source varchar(20) not null default 'push' check (source in ('push', 'pipeline', 'data_source')),
  calculation_method text not null default '',
  data_source_id uuid,
  pipeline_id uuid,
  value_path text,
  dimension_paths jsonb not null default '{}',
  aggregation_type varchar(20) not null default 'sum' check (aggregation_type in ('sum', 'avg', 'count', 'min', 'max')),
  refresh_frequency integer not null default 300 check (refresh_frequency between 10 and 31536000),
  thresholds jsonb not null default '{}',
  tags text[] not null default '{}',
  is_active boolean not null default true,
  -- Per-metric overrides of the instance's storage policies (null: the defaults).
  compress_after_days integer check (compress_after_days is null or compress_after_days >= 1),
  raw_retention_days integer check (raw_retention_days is null or raw_retention_days >= 1),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, name),
  unique (organization_id, id),
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete set null (data_source_id),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete set null (pipeline_id),
  -- A metric whose pipeline or data source is deleted keeps its points and stops receiving new ones.
  check (source <> 'pipeline' or value_path is not null),
  check (source <> 'data_source' or calculation_method <> '')
);
create index idx_metrics_org on app.metrics (organization_id, name);
create index idx_metrics_pipeline on app.metrics (organization_id, pipeline_id) where pipeline_id is not null;
create index idx_metrics_tags on app.metrics using gin (tags);
create trigger set_updated_at before update on app.metrics for each row execute function app.set_updated_at();
create trigger audit_changes after insert or update or delete on app.metrics for each row execute function private.audit_row_change();

-- seed 000 kpis.
create table app.kpis (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  metric_id uuid not null,
  name varchar(255) not null check (length(btrim(name)) between 1 and 255),
  description text,
  target_value numeric(15, 4),
  -- For target_type 'range': target_value is the lower bound, target_max the upper one.
  target_max numeric(15, 4),
  target_type varchar(20) not null default 'exact' check (target_type in ('exact', 'minimum', 'maximum', 'range')),
  time_period varchar(20) not null default 'monthly' check (time_period in ('daily', 'weekly', 'monthly', 'quarterly')),
  alert_rules jsonb not null default '{}',
  is_active boolean not null default true,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, metric_id) references app.metrics (organization_id, id) on delete cascade,
  check (target_type <> 'range' or (target_value is not null and target_max is not null and target_max >= target_value))
);
create index idx_kpis_metric on app.kpis (organization_id, metric_id);
create trigger set_updated_at before update on app.kpis for each row execute function app.set_updated_at();
create trigger audit_changes after insert or update or delete on app.kpis for each row execute function private.audit_row_change();

-- seed 000 time_series_data, partitioned by day on the point's timestamp (the seed's
-- hypertable key, 1-day chunks). Values keep the seed's numeric(15,4): sums over rollups then
-- equal sums over raw points exactly. No foreign key to metrics (a row check per point on the
-- hottest path); deleting a metric deletes its points explicitly.
create table ts.time_series_data (
  "timestamp" timestamptz not null,
  metric_id uuid not null,
  organization_id uuid not null,
  value numeric(15, 4) not null,
  dimensions jsonb not null default '{}',
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now()
) partition by range ("timestamp");
create index idx_time_series_metric_time on ts.time_series_data (metric_id, "timestamp" desc);
select ops.ensure_partitions('ts.time_series_data', 'day', 7, 30);
-- Like pipeline_data (0076, 0078): the seed's other indexes are built on each partition once
-- its day is over, so the partitions taking today's points pay for one btree only.
insert into ops.deferred_indexes (parent_table, index_suffix, definition) values
  ('ts.time_series_data', 'timestamp', '("timestamp" desc)'),
  ('ts.time_series_data', 'dimensions', 'using gin (dimensions)'),
  ('ts.time_series_data', 'org', '(organization_id, metric_id)');
select ops.build_deferred_indexes();

-- Points for days whose partition has been compressed and detached (late data): kept here
-- until the next compression run merges them into that day's segments. Queries read it too.
create table ts.time_series_late (
  "timestamp" timestamptz not null,
  metric_id uuid not null,
  organization_id uuid not null,
  value numeric(15, 4) not null,
  dimensions jsonb not null default '{}',
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index idx_time_series_late on ts.time_series_late (organization_id, metric_id, "timestamp");

-- Time ranges an ingest batch touched, per metric, written in the batch's transaction. The
-- rollup job recomputes the buckets overlapping them, then deletes the rows it consumed.
create table ts.rollup_invalidations (
  id bigint generated always as identity primary key,
  organization_id uuid not null,
  metric_id uuid not null,
  range_start timestamptz not null,
  range_end timestamptz not null check (range_end >= range_start),
  created_at timestamptz not null default now()
);
create index idx_rollup_invalidations_org on ts.rollup_invalidations (organization_id, metric_id);

-- Compressed storage: one row per series (metric + dimensions) and UTC day. Timestamps are
-- microseconds, delta-encoded (the first element is the offset from first_ts, each next one
-- the gap from the previous point); values in the same order. The aggregates of the whole
-- segment answer buckets that cover the day without decoding it. ts.segment_points decodes.
create table ts.time_series_segments (
  organization_id uuid not null,
  metric_id uuid not null,
  day date not null,
  dimensions jsonb not null default '{}',
  point_count integer not null check (point_count > 0),
  first_ts timestamptz not null,
  last_ts timestamptz not null,
  ts_deltas bigint[] not null,
  "values" numeric(15, 4)[] not null,
  sum_value numeric not null,
  min_value numeric(15, 4) not null,
  max_value numeric(15, 4) not null,
  compressed_at timestamptz not null default now(),
  primary key (organization_id, metric_id, day, dimensions)
);
create index idx_time_series_segments_metric on ts.time_series_segments (metric_id, day);

-- The points of one segment, in order.
create function ts.segment_points(p_first_ts timestamptz, p_ts_deltas bigint[], p_values numeric[])
  returns table ("timestamp" timestamptz, value numeric)
  language sql immutable parallel safe set search_path = ''
  as $$
    select p_first_ts + make_interval(secs => (sum(d.delta) over (order by d.ord)) / 1000000.0), v.value
      from unnest(p_ts_deltas) with ordinality as d(delta, ord)
      join unnest(p_values) with ordinality as v(value, ord) using (ord)
$$;
grant execute on function ts.segment_points(timestamptz, bigint[], numeric[]) to tessera_runtime, tessera_definer;

call ops.apply_tenant_policies('app.metrics');
call ops.apply_tenant_policies('app.kpis');
call ops.apply_tenant_policies('ts.time_series_data');
call ops.apply_tenant_policies('ts.time_series_late');
call ops.apply_tenant_policies('ts.rollup_invalidations');
call ops.apply_tenant_policies('ts.time_series_segments');
