-- Every rollup level seed 000 names (minute, hour, day, week, month) and per-metric totals.
--
-- A "total" row (dimensions is null) aggregates every series of its metric over the bucket.
-- A series query without groupBy or filter, the most common one (a chart of the metric),
-- reads one row per bucket instead of one per series: 168 rows for a week of 1-hour buckets
-- instead of 16,800 for a metric with 100 series. Filtered or grouped queries keep reading the
-- per-series rows (dimensions not null).
--
-- Levels, all aligned to UTC and maintained for the closed hours below the watermark:
-- - minute: totals only (a per-series minute row would be as large as the points of a series
--   that reports once a minute); serves 1m/5m/15m buckets over ranges of several hours;
-- - hour and day: totals and per series, as before;
-- - week (Monday, UTC) and month (first of the month, UTC): totals and per series, recomputed
--   from the day rows; they serve 1w/1mo buckets of UTC queries and long ranges.
-- The engine uses a row only when its whole interval lies in one output bucket, below the
-- watermark and outside every pending invalidation (db/migrations/0120's invariant, unchanged).

alter table ts.aggregated_metrics alter column dimensions drop not null;
alter table ts.aggregated_metrics alter column dimensions drop default;

-- The uniqueness of (metric, level, bucket, dimensions) must hold for totals too: NULLS NOT
-- DISTINCT (PostgreSQL 15+) makes two total rows of one bucket a conflict.
do $$
declare
  v_name text;
begin
  select c.conname into v_name from pg_constraint c
   where c.conrelid = 'ts.aggregated_metrics'::regclass and c.contype = 'u';
  execute format('alter table ts.aggregated_metrics drop constraint %I', v_name);
end
$$;
alter table ts.aggregated_metrics
  add constraint aggregated_metrics_bucket_key unique nulls not distinct (metric_id, aggregation_level, time_bucket, dimensions);

-- Totals are a small fraction of the rows: their own index, so reading 720 hourly totals does
-- not walk past the 72,000 per-series rows of the same buckets.
create index idx_aggregated_metrics_totals on ts.aggregated_metrics (metric_id, aggregation_level, time_bucket) where dimensions is null;
-- Retention (ops.data_retention_policies: aggregated_metrics, 5 years) deletes by time_bucket.
create index idx_aggregated_metrics_time on ts.aggregated_metrics (time_bucket);

-- Rollups written before this migration: totals of the hour and day rows, then week and month
-- rows from the day rows, all derived from rows the engine already trusts (a stale row has a
-- pending invalidation and is recomputed, every level at once, when the job consumes it).
-- Minute totals cannot be derived from hours: the engine uses minute rows only from the
-- minute_level_from of the watermark row on (the start of this hour for an existing
-- installation, -infinity for a new one). The owner is subject to FORCE ROW LEVEL SECURITY,
-- lifted for the backfill.
alter table ops.rollup_watermarks add column minute_level_from timestamptz;

alter table ts.aggregated_metrics no force row level security;
alter table app.metrics no force row level security;
update ops.rollup_watermarks
   set minute_level_from = case when exists (select 1 from ts.aggregated_metrics) then date_trunc('hour', now(), 'UTC') else '-infinity' end
 where name = 'ts.aggregated_metrics';
insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
select m.organization_id, m.metric_id, m.aggregation_level, m.time_bucket,
       case mt.aggregation_type when 'avg' then sum(m.sum_value) / sum(m.count) when 'count' then sum(m.count) when 'min' then min(m.min_value) when 'max' then max(m.max_value) else sum(m.sum_value) end,
       sum(m.count), sum(m.sum_value), min(m.min_value), max(m.max_value), null, now()
  from ts.aggregated_metrics m join app.metrics mt on mt.id = m.metric_id
 where m.aggregation_level in ('hour', 'day') and m.dimensions is not null
 group by m.organization_id, m.metric_id, m.aggregation_level, m.time_bucket, mt.aggregation_type;
insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
select m.organization_id, m.metric_id, l.level, date_trunc(l.level, m.time_bucket, 'UTC'),
       case mt.aggregation_type when 'avg' then sum(m.sum_value) / sum(m.count) when 'count' then sum(m.count) when 'min' then min(m.min_value) when 'max' then max(m.max_value) else sum(m.sum_value) end,
       sum(m.count), sum(m.sum_value), min(m.min_value), max(m.max_value), m.dimensions, now()
  from ts.aggregated_metrics m join app.metrics mt on mt.id = m.metric_id
 cross join (values ('week'), ('month')) as l(level)
 where m.aggregation_level = 'day'
 group by m.organization_id, m.metric_id, l.level, date_trunc(l.level, m.time_bucket, 'UTC'), mt.aggregation_type, m.dimensions;
alter table ts.aggregated_metrics force row level security;
alter table app.metrics force row level security;

-- The run's shape changes (rows per level), so the function is dropped and created again.
drop function private.refresh_time_series_rollups(integer);

-- Each call (see 0121 for the locking and the exactness argument, unchanged):
-- 1. locks the watermark row and takes the oldest p_max invalidations touching closed hours;
-- 2. reads the raw, late and compressed points of every touched (metric, hour) once, and
--    writes the per-series hour rows and the minute totals from them;
-- 3. hour totals from the minute totals; day rows (per series and totals) from the hour rows;
--    week and month rows from the day rows, for the weeks and months the touched hours are in;
-- 4. deletes the cache entries over what changed and the consumed invalidations, records the
--    run in ops.aggregation_jobs and moves the watermark.
create function private.refresh_time_series_rollups(p_max integer)
  returns table (invalidations integer, minute_rows integer, hour_rows integer, day_rows integer, week_rows integer, month_rows integer, watermark timestamptz, more boolean)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_started timestamptz := clock_timestamp();
  v_until timestamptz := date_trunc('hour', now(), 'UTC');
  v_ids bigint[];
  v_lo timestamptz;
  v_hi timestamptz;
  v_minutes integer := 0;
  v_hours integer := 0;
  v_totals integer := 0;
  v_days integer := 0;
  v_weeks integer := 0;
  v_months integer := 0;
  v_metrics uuid[];
  v_h_org uuid[];
  v_h_metric uuid[];
  v_h_hour timestamptz[];
  v_watermark timestamptz;
begin
  perform 1 from ops.rollup_watermarks w where w.name = 'ts.aggregated_metrics' for update;
  if not found then
    raise exception 'ops.rollup_watermarks has no row for ts.aggregated_metrics';
  end if;

  select coalesce(array_agg(i.id), '{}') into v_ids
    from (select r.id from ts.rollup_invalidations r where r.range_start < v_until order by r.id limit p_max) i;

  if cardinality(v_ids) > 0 then
    -- The touched (organization, metric, hour) triples, as three parallel arrays (no temp table).
    select array_agg(t.organization_id), array_agg(t.metric_id), array_agg(t.hour) into v_h_org, v_h_metric, v_h_hour
      from (select distinct i.organization_id, i.metric_id, h.hour
              from ts.rollup_invalidations i
             cross join lateral generate_series(date_trunc('hour', i.range_start, 'UTC'),
                                                least(date_trunc('hour', i.range_end, 'UTC'), v_until - interval '1 hour'),
                                                interval '1 hour') as h(hour)
             where i.id = any(v_ids)) t;
    select min(h.hour), max(h.hour) + interval '1 hour', array_agg(distinct h.metric_id) into v_lo, v_hi, v_metrics
      from unnest(v_h_org, v_h_metric, v_h_hour) as h(organization_id, metric_id, hour);

    delete from ts.aggregated_metrics m using unnest(v_h_org, v_h_metric, v_h_hour) as h(organization_id, metric_id, hour)
     where m.metric_id = h.metric_id
       and ((m.aggregation_level = 'hour' and m.time_bucket = h.hour)
         or (m.aggregation_level = 'minute' and m.time_bucket >= h.hour and m.time_bucket < h.hour + interval '1 hour'));

    -- One read of the points; both inserts aggregate the same materialized set.
    with points as materialized (
      select h.organization_id, h.metric_id, h.hour, p.ts, p.dimensions, p.value
        from unnest(v_h_org, v_h_metric, v_h_hour) as h(organization_id, metric_id, hour)
       cross join lateral (
         select d."timestamp" as ts, d.dimensions, d.value from ts.time_series_data d
          where d.metric_id = h.metric_id and d.organization_id = h.organization_id
            and d."timestamp" >= h.hour and d."timestamp" < h.hour + interval '1 hour'
            and d."timestamp" >= v_lo and d."timestamp" < v_hi
         union all
         select l."timestamp", l.dimensions, l.value from ts.time_series_late l
          where l.organization_id = h.organization_id and l.metric_id = h.metric_id
            and l."timestamp" >= h.hour and l."timestamp" < h.hour + interval '1 hour'
         union all
         select sp."timestamp", s.dimensions, sp.value from ts.time_series_segments s
          cross join lateral ts.segment_points(s.first_ts, s.ts_deltas, s."values") sp
          where s.organization_id = h.organization_id and s.metric_id = h.metric_id and s.day = (h.hour at time zone 'UTC')::date
            and sp."timestamp" >= h.hour and sp."timestamp" < h.hour + interval '1 hour') p
    ), series_hours as (
      insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
      select p.organization_id, p.metric_id, 'hour', p.hour,
             case mt.aggregation_type when 'avg' then avg(p.value) when 'count' then count(*) when 'min' then min(p.value) when 'max' then max(p.value) else sum(p.value) end,
             count(*), sum(p.value), min(p.value), max(p.value), p.dimensions, now()
        from points p join app.metrics mt on mt.id = p.metric_id
       group by p.organization_id, p.metric_id, p.hour, mt.aggregation_type, p.dimensions
      returning 1
    ), minute_totals as (
      insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
      select p.organization_id, p.metric_id, 'minute', date_trunc('minute', p.ts, 'UTC'),
             case mt.aggregation_type when 'avg' then avg(p.value) when 'count' then count(*) when 'min' then min(p.value) when 'max' then max(p.value) else sum(p.value) end,
             count(*), sum(p.value), min(p.value), max(p.value), null, now()
        from points p join app.metrics mt on mt.id = p.metric_id
       group by p.organization_id, p.metric_id, date_trunc('minute', p.ts, 'UTC'), mt.aggregation_type
      returning 1
    )
    select (select count(*) from series_hours), (select count(*) from minute_totals) into v_hours, v_minutes;

    -- Hour totals from the minute totals just written.
    insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
    select m.organization_id, m.metric_id, 'hour', h.hour,
           case mt.aggregation_type when 'avg' then sum(m.sum_value) / sum(m.count) when 'count' then sum(m.count) when 'min' then min(m.min_value) when 'max' then max(m.max_value) else sum(m.sum_value) end,
           sum(m.count), sum(m.sum_value), min(m.min_value), max(m.max_value), null, now()
      from unnest(v_h_org, v_h_metric, v_h_hour) as h(organization_id, metric_id, hour)
      join app.metrics mt on mt.id = h.metric_id
      join ts.aggregated_metrics m on m.metric_id = h.metric_id and m.aggregation_level = 'minute'
       and m.time_bucket >= h.hour and m.time_bucket < h.hour + interval '1 hour'
     group by m.organization_id, m.metric_id, h.hour, mt.aggregation_type;
    get diagnostics v_totals = row_count;
    v_hours := v_hours + v_totals;

    -- Days from their hours (per series and totals: the null dimensions form their own group).
    -- A day whose other hours are stale has a pending invalidation on them, so the engine does
    -- not use it until that one is consumed too. The same holds for weeks and months.
    v_days := private.rebuild_time_series_rollup_level('day', 'hour', v_h_metric, v_h_hour);
    v_weeks := private.rebuild_time_series_rollup_level('week', 'day', v_h_metric, v_h_hour);
    v_months := private.rebuild_time_series_rollup_level('month', 'day', v_h_metric, v_h_hour);

    -- Cached answers over what changed (the cache also checks the generation moved below).
    delete from ts.query_cache c
     using (select i.metric_id, min(i.range_start) as lo, max(i.range_end) as hi from ts.rollup_invalidations i where i.id = any(v_ids) group by i.metric_id) i
     where c.metric_id = i.metric_id and c.range_start <= i.hi and c.range_end > i.lo;
    insert into ops.aggregation_jobs (metric_id, aggregation_level, time_range_start, time_range_end, status, scheduled_at, started_at, completed_at, duration_ms, invalidations, metrics, rows_written)
    values (case when cardinality(v_metrics) = 1 then v_metrics[1] end, 'hour', v_lo, v_hi, 'completed', v_started, v_started, clock_timestamp(),
            (extract(epoch from clock_timestamp() - v_started) * 1000)::integer, cardinality(v_ids), cardinality(v_metrics),
            v_minutes + v_hours + v_days + v_weeks + v_months);
    delete from ts.rollup_invalidations i where i.id = any(v_ids) and i.range_end < v_until;
    update ts.rollup_invalidations i set range_start = v_until where i.id = any(v_ids) and i.range_end >= v_until;
  end if;

  -- Expired cache entries are never served; the minutely run keeps the table small (idx_query_cache_expires).
  delete from ts.query_cache c where c.expires_at < now();

  update ops.rollup_watermarks w
     set watermark = greatest(w.watermark, v_until), refreshed_at = now(),
         updated_at = case when cardinality(v_ids) > 0 then clock_timestamp() else w.updated_at end
   where w.name = 'ts.aggregated_metrics'
  returning w.watermark into v_watermark;
  return query select cardinality(v_ids), v_minutes, v_hours, v_days, v_weeks, v_months, v_watermark, cardinality(v_ids) >= p_max;
end
$$;

-- Rebuilds the p_level rows (day, week or month) containing the given hours of the given
-- metrics (p_metrics[i] pairs with p_hours[i]) from the p_source rows (hour or day) inside
-- them. Interval ends are computed in UTC wall time, so a month is a calendar month whatever
-- the session's time zone.
create function private.rebuild_time_series_rollup_level(p_level text, p_source text, p_metrics uuid[], p_hours timestamptz[])
  returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_metric uuid[];
  v_lo timestamptz[];
  v_rows integer;
begin
  select array_agg(t.metric_id), array_agg(t.lo) into v_metric, v_lo
    from (select distinct u.metric_id, date_trunc(p_level, u.hour, 'UTC') as lo from unnest(p_metrics, p_hours) as u(metric_id, hour)) t;

  delete from ts.aggregated_metrics m using unnest(v_metric, v_lo) as t(metric_id, lo)
   where m.metric_id = t.metric_id and m.aggregation_level = p_level and m.time_bucket = t.lo;
  insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
  select m.organization_id, m.metric_id, p_level, t.lo,
         case mt.aggregation_type when 'avg' then sum(m.sum_value) / sum(m.count) when 'count' then sum(m.count) when 'min' then min(m.min_value) when 'max' then max(m.max_value) else sum(m.sum_value) end,
         sum(m.count), sum(m.sum_value), min(m.min_value), max(m.max_value), m.dimensions, now()
    from unnest(v_metric, v_lo) as t(metric_id, lo)
    join app.metrics mt on mt.id = t.metric_id
    join ts.aggregated_metrics m on m.metric_id = t.metric_id and m.aggregation_level = p_source
     and m.time_bucket >= t.lo
     and m.time_bucket < case p_level
                           when 'day' then t.lo + interval '24 hours'
                           when 'week' then t.lo + interval '168 hours'
                           else ((t.lo at time zone 'UTC') + interval '1 month') at time zone 'UTC'
                         end
   group by m.organization_id, m.metric_id, t.lo, mt.aggregation_type, m.dimensions;
  get diagnostics v_rows = row_count;
  return v_rows;
end
$$;

select ops.secure_private_functions();
