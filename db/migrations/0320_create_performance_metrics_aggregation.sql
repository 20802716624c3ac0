-- Performance metrics aggregation (issue 6): the worker job telemetry:aggregate-performance
-- (src/modules/performance-metrics) fills seed 002's telemetry.performance_metrics (0180) every
-- minute with instance-level rows (organization_id null) for the periods 1m, 5m, 15m, 1h, 1d
-- and 1w. Metric names and labels are listed in docs/performance-metrics.md.
--
-- Sources, each read through an index or partition bound on its time column:
--  - telemetry.request_logs by "timestamp" (partition key, idx_request_logs_time): latency,
--    throughput, error rates;
--  - ops.maintenance_runs by started_at (every scheduled job run; the table is pruned by
--    ops:runs-cleanup, so it stays small): job durations and runs;
--  - ingest.pipeline_data by ingested_at (partition key, BRIN): pipeline records;
--  - metric points: the inserted-row counters PostgreSQL keeps per table (pg_stat_all_tables
--    n_tup_ins of ts.time_series_data's partitions and ts.time_series_late), sampled once a
--    minute into ops.ingest_counter_samples; the difference since the previous sample is the
--    minute's ingest_records_total. Counting rows by arrival time would scan the day's whole
--    partition every minute (points are partitioned and indexed by their own timestamp, not
--    by arrival). A counter reset (crash, pg_stat_reset) loses that minute's count;
--  - pg_stat_activity: connections of the runtime role, sampled once a minute (gauges).
--
-- Why one SECURITY DEFINER function (operator_, so only the owner role the worker uses may call
-- it): the owner is subject to FORCE ROW LEVEL SECURITY on the log tables; tessera_definer
-- bypasses it, has pg_monitor (sees every session's state), and gets only the columns it reads.
--
-- Each call, per period:
-- 1. locks the period's watermark row in ops.rollup_watermarks (concurrent runs queue);
-- 2. takes the closed buckets [lo, hi): hi is the start of the open bucket; lo is the
--    watermark, or one bucket before it while the last closed bucket is under two minutes old
--    (so request-log rows flushed a few seconds after their minute closed are counted), but
--    no earlier than a bounded look-back (a fresh install or a long outage does not grind
--    through months);
-- 3. computes every metric of those buckets straight from the raw rows (percentiles cannot be
--    merged from finer buckets), and upserts on the unique index, so a rerun writes the same
--    values and never duplicates a row;
-- 4. moves the watermark to hi.
-- Gauges (pool connections) cannot be recomputed later: one sample per run lands in the
-- minute that just closed (kept if present), and coarser periods average their 1m rows.
-- Buckets are UTC; date_bin with a Monday origin makes weeks start Monday 00:00 UTC.

insert into ops.rollup_watermarks (name, watermark) values
  ('telemetry.performance_metrics:1m', '-infinity'),
  ('telemetry.performance_metrics:5m', '-infinity'),
  ('telemetry.performance_metrics:15m', '-infinity'),
  ('telemetry.performance_metrics:1h', '-infinity'),
  ('telemetry.performance_metrics:1d', '-infinity'),
  ('telemetry.performance_metrics:1w', '-infinity');
-- ops.partitions: the oldest partition bounds the look-back.
grant select on ops.partitions to tessera_definer;

grant select ("timestamp", route, method, response_status_code, duration_ms) on telemetry.request_logs to tessera_definer;
grant select (job, started_at, duration_ms, outcome) on ops.maintenance_runs to tessera_definer;
-- The last sample of each ingest counter: per relation (oid as text) its n_tup_ins.
create table ops.ingest_counter_samples (
  source text primary key,
  relation_counts jsonb not null,
  sampled_at timestamptz not null
);
grant select, insert, update on ops.ingest_counter_samples to tessera_definer;
grant insert, update on telemetry.performance_metrics to tessera_definer;

create function private.operator_aggregate_performance_metrics(p_environment text, p_pool_size integer, p_top_routes integer)
  returns table (period text, window_start timestamptz, window_end timestamptz, rows_written integer)
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC'
  as $$
declare
  -- A Monday: week buckets start on Mondays; every other period divides a day evenly.
  v_origin constant timestamptz := '2001-01-01 00:00:00+00';
  v_now timestamptz := now();
  v_period text;
  v_step interval;
  v_lookback interval;
  v_watermark timestamptz;
  v_lo timestamptz;
  v_hi timestamptz;
  v_seconds numeric;
  v_rows integer;
  v_total integer;
  v_oldest timestamptz;
  v_counts jsonb;
  v_sample ops.ingest_counter_samples;
  v_delta bigint;
begin
  select min(p.range_start) into v_oldest from ops.partitions p where p.parent_table = 'telemetry.performance_metrics' and p.state = 'attached';
  if p_pool_size is null or p_pool_size < 1 then
    raise exception 'pool size must be positive';
  end if;
  foreach v_period in array array['1m', '5m', '15m', '1h', '1d', '1w'] loop
    v_step := case v_period when '1m' then interval '1 minute' when '5m' then interval '5 minutes' when '15m' then interval '15 minutes'
                            when '1h' then interval '1 hour' when '1d' then interval '1 day' else interval '7 days' end;
    v_lookback := case v_period when '1m' then interval '2 hours' when '5m' then interval '6 hours' when '15m' then interval '12 hours'
                                when '1h' then interval '2 days' when '1d' then interval '14 days' else interval '4 weeks' end;
    v_seconds := extract(epoch from v_step);
    select w.watermark into v_watermark from ops.rollup_watermarks w where w.name = 'telemetry.performance_metrics:' || v_period for update;
    if not found then
      raise exception 'ops.rollup_watermarks has no row for telemetry.performance_metrics:%', v_period;
    end if;
    v_hi := date_bin(v_step, v_now, v_origin);
    -- The bucket that closed last is computed once more while it is under two minutes old
    -- (request-log rows reach the table a flush interval after their request); after that,
    -- a run with no newly closed bucket reads nothing.
    v_lo := case when v_watermark >= v_hi and v_hi > v_now - interval '2 minutes' then v_watermark - v_step else v_watermark end;
    v_lo := greatest(v_lo, date_bin(v_step, v_now - v_lookback, v_origin));
    -- Never before the oldest partition of the target (retention drops old months).
    v_lo := greatest(v_lo, date_bin(v_step, coalesce(v_oldest, v_hi), v_origin) + case when date_bin(v_step, coalesce(v_oldest, v_hi), v_origin) < coalesce(v_oldest, v_hi) then v_step else interval '0' end);
    v_total := 0;

    if v_period = '1m' then
      -- The gauge sample of this run, for the minute that just closed.
      insert into telemetry.performance_metrics as m (organization_id, metric_name, metric_value, labels, "timestamp", aggregation_period, measurement_type, unit, service, environment)
      select null, g.name, g.value, g.labels, v_hi - v_step, '1m', 'gauge', g.unit, 'database', p_environment
        from (
          select 'db_pool_connections' as name, count(*)::numeric as value,
                 jsonb_build_object('application', coalesce(nullif(a.application_name, ''), 'unknown'), 'state', coalesce(a.state, 'unknown')) as labels,
                 'connections' as unit
            from pg_catalog.pg_stat_activity a join pg_catalog.pg_roles r on r.oid = a.usesysid
           where a.datname = current_database() and not r.rolsuper and pg_has_role(a.usesysid, 'tessera_runtime', 'member')
           group by 3
          union all
          -- Connections doing work (not idle in the pool) against one process's configured pool.
          select 'db_pool_utilization_percent', round(100.0 * count(*) filter (where a.state is distinct from 'idle') / p_pool_size, 4), '{}'::jsonb, 'percent'
            from pg_catalog.pg_stat_activity a join pg_catalog.pg_roles r on r.oid = a.usesysid
           where a.datname = current_database() and not r.rolsuper and pg_has_role(a.usesysid, 'tessera_runtime', 'member')) g
      on conflict (organization_id, metric_name, aggregation_period, "timestamp", coalesce(md5(labels::text), 'null')) do nothing;

      -- Metric points since the previous sample, spread evenly over the minutes between the
      -- two samples (only the total is known); a partition created since counts from zero.
      select coalesce(jsonb_object_agg(t.relid::oid::text, st.n_tup_ins), '{}'::jsonb) into v_counts
        from (select pt.relid from pg_catalog.pg_partition_tree('ts.time_series_data'::regclass) pt where pt.isleaf
              union all select 'ts.time_series_late'::regclass) t
        join pg_catalog.pg_stat_all_tables st on st.relid = t.relid::oid;
      select * into v_sample from ops.ingest_counter_samples c where c.source = 'metric' for update;
      if found then
        select coalesce(sum(greatest(c.value::bigint - coalesce((v_sample.relation_counts ->> c.key)::bigint, 0), 0)), 0)
          into v_delta from jsonb_each_text(v_counts) c;
        if v_delta > 0 then
          insert into telemetry.performance_metrics as m (organization_id, metric_name, metric_value, labels, "timestamp", aggregation_period, measurement_type, unit, service, environment)
          select null, 'ingest_records_total', round(v_delta::numeric / count(*) over (), 4), '{"source": "metric"}'::jsonb, b, '1m', 'counter', 'count', 'api', p_environment
            from generate_series(least(greatest(date_bin(v_step, v_sample.sampled_at, v_origin), v_hi - interval '1 day'), v_hi - v_step), v_hi - v_step, v_step) b
          on conflict (organization_id, metric_name, aggregation_period, "timestamp", coalesce(md5(labels::text), 'null')) do update
            set metric_value = m.metric_value + excluded.metric_value;
        end if;
        update ops.ingest_counter_samples c set relation_counts = v_counts, sampled_at = v_now where c.source = 'metric';
      else
        insert into ops.ingest_counter_samples (source, relation_counts, sampled_at) values ('metric', v_counts, v_now);
      end if;
    end if;

    if v_lo < v_hi then
      -- Requests: latency (overall and per busiest route), throughput, error rates.
      with req as (
        select date_bin(v_step, l."timestamp", v_origin) as bucket, l.route, l.method, l.duration_ms, l.response_status_code as status
          from telemetry.request_logs l
         where l."timestamp" >= v_lo and l."timestamp" < v_hi
      ), overall as (
        select q.bucket, count(*) as n, avg(q.duration_ms) as avg_ms,
               percentile_cont(0.5) within group (order by q.duration_ms) as p50,
               percentile_cont(0.95) within group (order by q.duration_ms) as p95,
               percentile_cont(0.99) within group (order by q.duration_ms) as p99,
               count(*) filter (where q.status >= 500) as server_errors,
               count(*) filter (where q.status between 400 and 499) as client_errors
          from req q group by q.bucket
      ), per_route as (
        select * from (
          select q.bucket, q.route, q.method, avg(q.duration_ms) as avg_ms,
                 percentile_cont(0.5) within group (order by q.duration_ms) as p50,
                 percentile_cont(0.95) within group (order by q.duration_ms) as p95,
                 percentile_cont(0.99) within group (order by q.duration_ms) as p99,
                 row_number() over (partition by q.bucket order by count(*) desc, q.route, q.method) as rank
            from req q where q.route is not null
           group by q.bucket, q.route, q.method) r
         where r.rank <= p_top_routes
      ), buckets as (
        -- On the first run (no watermark yet), from the first request on: the look-back must
        -- not draw an instance that did not exist yet as an idle one.
        select b as bucket
          from generate_series(case when isfinite(v_watermark) then v_lo else coalesce((select min(o.bucket) from overall o), v_hi) end, v_hi - v_step, v_step) b
      ), metric_rows (bucket, name, value, labels, measurement_type, unit) as (
        select o.bucket, 'http_request_duration_ms', s.value, jsonb_build_object('stat', s.stat), 'summary', 'ms'
          from overall o cross join lateral (values ('avg', o.avg_ms), ('p50', o.p50::numeric), ('p95', o.p95::numeric), ('p99', o.p99::numeric)) s(stat, value)
        union all
        select r.bucket, 'http_request_duration_ms', s.value, jsonb_build_object('route', r.route, 'method', r.method, 'stat', s.stat), 'summary', 'ms'
          from per_route r cross join lateral (values ('avg', r.avg_ms), ('p50', r.p50::numeric), ('p95', r.p95::numeric), ('p99', r.p99::numeric)) s(stat, value)
        union all
        -- Throughput is 0 in a bucket without requests (a gap would hide an outage).
        select b.bucket, 'http_requests_per_second', coalesce(o.n, 0) / v_seconds, '{}'::jsonb, 'gauge', 'per_second'
          from buckets b left join overall o on o.bucket = b.bucket
        union all
        select o.bucket, 'http_error_rate_percent', 100.0 * o.server_errors / o.n, '{}'::jsonb, 'gauge', 'percent' from overall o
        union all
        select o.bucket, 'http_client_error_rate_percent', 100.0 * o.client_errors / o.n, '{}'::jsonb, 'gauge', 'percent' from overall o
      )
      insert into telemetry.performance_metrics as m (organization_id, metric_name, metric_value, labels, "timestamp", aggregation_period, measurement_type, unit, service, environment)
      select null, x.name, round(x.value, 4), x.labels, x.bucket, v_period, x.measurement_type, x.unit, 'api', p_environment from metric_rows x
      on conflict (organization_id, metric_name, aggregation_period, "timestamp", coalesce(md5(labels::text), 'null')) do update
        set metric_value = excluded.metric_value, measurement_type = excluded.measurement_type, unit = excluded.unit,
            service = excluded.service, environment = excluded.environment
        where m.metric_value is distinct from excluded.metric_value;
      get diagnostics v_rows = row_count;
      v_total := v_total + v_rows;

      -- Scheduled jobs (skipped runs found another run holding the lock: no duration to speak of).
      with runs as (
        select date_bin(v_step, r.started_at, v_origin) as bucket, r.job, r.duration_ms, r.outcome
          from ops.maintenance_runs r
         where r.started_at >= v_lo and r.started_at < v_hi
      ), metric_rows (bucket, name, value, labels, measurement_type, unit) as (
        select d.bucket, 'job_duration_ms', s.value, jsonb_build_object('job', d.job, 'stat', s.stat), 'summary', 'ms'
          from (select r.bucket, r.job, avg(r.duration_ms) as avg_ms, percentile_cont(0.95) within group (order by r.duration_ms) as p95, max(r.duration_ms) as max_ms
                  from runs r where r.outcome <> 'skipped' group by r.bucket, r.job) d
         cross join lateral (values ('avg', d.avg_ms), ('p95', d.p95::numeric), ('max', d.max_ms::numeric)) s(stat, value)
        union all
        select r.bucket, 'job_runs_total', count(*)::numeric, jsonb_build_object('job', r.job, 'outcome', r.outcome), 'counter', 'count'
          from runs r group by r.bucket, r.job, r.outcome
      )
      insert into telemetry.performance_metrics as m (organization_id, metric_name, metric_value, labels, "timestamp", aggregation_period, measurement_type, unit, service, environment)
      select null, x.name, round(x.value, 4), x.labels, x.bucket, v_period, x.measurement_type, x.unit, 'worker', p_environment from metric_rows x
      on conflict (organization_id, metric_name, aggregation_period, "timestamp", coalesce(md5(labels::text), 'null')) do update
        set metric_value = excluded.metric_value, measurement_type = excluded.measurement_type, unit = excluded.unit,
            service = excluded.service, environment = excluded.environment
        where m.metric_value is distinct from excluded.metric_value;
      get diagnostics v_rows = row_count;
      v_total := v_total + v_rows;

      -- Ingest: pipeline records and metric points per second, 0 in a quiet bucket.
      with pipeline as (
        select date_bin(v_step, d.ingested_at, v_origin) as bucket, count(*) as n
          from ingest.pipeline_data d
         where d.ingested_at >= v_lo and d.ingested_at < v_hi
         group by 1
      ), points as (
        select date_bin(v_step, g."timestamp", v_origin) as bucket, sum(g.metric_value) as n
          from telemetry.performance_metrics g
         where g.organization_id is null and g.aggregation_period = '1m' and g.metric_name = 'ingest_records_total'
           and g.labels = '{"source": "metric"}'::jsonb and g."timestamp" >= v_lo and g."timestamp" < v_hi
         group by 1
      ), buckets as (
        -- First run: from the first record or point on, as for requests above.
        select b as bucket
          from generate_series(case when isfinite(v_watermark) then v_lo
                                    else coalesce(least((select min(p.bucket) from pipeline p), (select min(p.bucket) from points p)), v_hi) end,
                               v_hi - v_step, v_step) b
      )
      insert into telemetry.performance_metrics as m (organization_id, metric_name, metric_value, labels, "timestamp", aggregation_period, measurement_type, unit, service, environment)
      select null, 'ingest_records_per_second', round(s.n / v_seconds, 4), jsonb_build_object('source', s.source), b.bucket, v_period, 'gauge', 'per_second', 'api', p_environment
        from buckets b
       cross join lateral (values ('pipeline', coalesce((select p.n from pipeline p where p.bucket = b.bucket), 0)),
                                  ('metric', coalesce((select p.n from points p where p.bucket = b.bucket), 0))) s(source, n)
      on conflict (organization_id, metric_name, aggregation_period, "timestamp", coalesce(md5(labels::text), 'null')) do update
        set metric_value = excluded.metric_value
        where m.metric_value is distinct from excluded.metric_value;
      get diagnostics v_rows = row_count;
      v_total := v_total + v_rows;

      if v_period <> '1m' then
        -- Gauges: the average of the minute samples of each closed bucket.
        insert into telemetry.performance_metrics as m (organization_id, metric_name, metric_value, labels, "timestamp", aggregation_period, measurement_type, unit, service, environment)
        select null, g.metric_name, round(avg(g.metric_value), 4), g.labels, date_bin(v_step, g."timestamp", v_origin), v_period, 'gauge', min(g.unit), 'database', p_environment
          from telemetry.performance_metrics g
         where g.organization_id is null and g.aggregation_period = '1m'
           and g.metric_name in ('db_pool_connections', 'db_pool_utilization_percent')
           and g."timestamp" >= v_lo and g."timestamp" < v_hi
         group by g.metric_name, g.labels, date_bin(v_step, g."timestamp", v_origin)
        on conflict (organization_id, metric_name, aggregation_period, "timestamp", coalesce(md5(labels::text), 'null')) do update
          set metric_value = excluded.metric_value
          where m.metric_value is distinct from excluded.metric_value;
        get diagnostics v_rows = row_count;
        v_total := v_total + v_rows;
      end if;
    end if;

    update ops.rollup_watermarks w
       set watermark = greatest(w.watermark, v_hi), refreshed_at = v_now, updated_at = now()
     where w.name = 'telemetry.performance_metrics:' || v_period;
    period := v_period;
    window_start := v_lo;
    window_end := v_hi;
    rows_written := v_total;
    return next;
  end loop;
end
$$;

select ops.secure_private_functions();
