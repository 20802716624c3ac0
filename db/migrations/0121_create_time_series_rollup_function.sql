-- The incremental rollup of metric points (worker job ts:rollup), following
-- private.refresh_pipeline_data_hourly (0091): SECURITY DEFINER because one set-based pass
-- covers every tenant's invalidations, and the owner role is subject to FORCE ROW LEVEL
-- SECURITY; tessera_definer gets only the columns it needs (0120) and only writes derived rows.
--
-- Each call:
-- 1. locks the watermark row (concurrent runs queue instead of racing);
-- 2. takes the oldest p_max invalidations that touch closed UTC hours (before v_until, the start
--    of the current hour: the open hour is always read raw);
-- 3. recomputes each touched (metric, hour) from raw points, late points and decoded segments
--    (delete then insert, so dimension sets that vanished vanish too), then each touched
--    (metric, UTC day) from its hour rows;
-- 4. deletes the cache entries overlapping what it consumed (and every expired one), deletes the consumed invalidations
--    (those reaching into the open hour are trimmed to start at v_until instead), records the
--    run in ops.aggregation_jobs and moves the watermark to v_until.
-- Why this is exact: every statement after step 2 runs with a snapshot at least as new as the
-- one that read the invalidations, so it sees every point of the batches consumed. A batch
-- committed meanwhile keeps its invalidation row (only the ids read are deleted) and is
-- recomputed next time; until then the engine reads its buckets raw.
-- Partition pruning: the raw scan's time bounds are plpgsql variables (bound parameters).
create function private.refresh_time_series_rollups(p_max integer)
  returns table (invalidations integer, hour_rows integer, day_rows integer, watermark timestamptz, more boolean)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_started timestamptz := clock_timestamp();
  v_until timestamptz := date_trunc('hour', now(), 'UTC');
  v_ids bigint[];
  v_lo timestamptz;
  v_hi timestamptz;
  v_hours integer := 0;
  v_days integer := 0;
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
    select min(h.hour), max(h.hour) + interval '1 hour', array_agg(distinct h.metric_id) into v_lo, v_hi, v_metrics from (select * from unnest(v_h_org, v_h_metric, v_h_hour) as u(organization_id, metric_id, hour)) h;

    delete from ts.aggregated_metrics m using (select * from unnest(v_h_org, v_h_metric, v_h_hour) as u(organization_id, metric_id, hour)) h
     where m.metric_id = h.metric_id and m.aggregation_level = 'hour' and m.time_bucket = h.hour;
    insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
    select h.organization_id, h.metric_id, 'hour', h.hour,
           case mt.aggregation_type when 'avg' then avg(p.value) when 'count' then count(*) when 'min' then min(p.value) when 'max' then max(p.value) else sum(p.value) end,
           count(*), sum(p.value), min(p.value), max(p.value), p.dimensions, now()
      from (select * from unnest(v_h_org, v_h_metric, v_h_hour) as u(organization_id, metric_id, hour)) h
      join app.metrics mt on mt.id = h.metric_id
     cross join lateral (
       select d.dimensions, d.value from ts.time_series_data d
        where d.metric_id = h.metric_id and d.organization_id = h.organization_id
          and d."timestamp" >= h.hour and d."timestamp" < h.hour + interval '1 hour'
          and d."timestamp" >= v_lo and d."timestamp" < v_hi
       union all
       select l.dimensions, l.value from ts.time_series_late l
        where l.organization_id = h.organization_id and l.metric_id = h.metric_id
          and l."timestamp" >= h.hour and l."timestamp" < h.hour + interval '1 hour'
       union all
       select s.dimensions, sp.value from ts.time_series_segments s
        cross join lateral ts.segment_points(s.first_ts, s.ts_deltas, s."values") sp
        where s.organization_id = h.organization_id and s.metric_id = h.metric_id and s.day = (h.hour at time zone 'UTC')::date
          and sp."timestamp" >= h.hour and sp."timestamp" < h.hour + interval '1 hour') p
     group by h.organization_id, h.metric_id, h.hour, mt.aggregation_type, p.dimensions;
    get diagnostics v_hours = row_count;

    -- Days from their hours: a day whose other hours are stale has a pending invalidation on
    -- those hours, so the engine does not use it until that one is consumed too.
    delete from ts.aggregated_metrics m
     using (select distinct h.metric_id, date_trunc('day', h.hour, 'UTC') as day from (select * from unnest(v_h_org, v_h_metric, v_h_hour) as u(organization_id, metric_id, hour)) h) d
     where m.metric_id = d.metric_id and m.aggregation_level = 'day' and m.time_bucket = d.day;
    insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, min_value, max_value, dimensions, computed_at)
    select m.organization_id, m.metric_id, 'day', d.day,
           case mt.aggregation_type when 'avg' then sum(m.sum_value) / sum(m.count) when 'count' then sum(m.count) when 'min' then min(m.min_value) when 'max' then max(m.max_value) else sum(m.sum_value) end,
           sum(m.count), sum(m.sum_value), min(m.min_value), max(m.max_value), m.dimensions, now()
      from (select distinct h.metric_id, date_trunc('day', h.hour, 'UTC') as day from (select * from unnest(v_h_org, v_h_metric, v_h_hour) as u(organization_id, metric_id, hour)) h) d
      join app.metrics mt on mt.id = d.metric_id
      join ts.aggregated_metrics m on m.metric_id = d.metric_id and m.aggregation_level = 'hour'
       and m.time_bucket >= d.day and m.time_bucket < d.day + interval '24 hours'
     group by m.organization_id, m.metric_id, d.day, mt.aggregation_type, m.dimensions;
    get diagnostics v_days = row_count;

    -- Cached answers over what changed (the cache also checks the generation moved below).
    delete from ts.query_cache c
     using (select i.metric_id, min(i.range_start) as lo, max(i.range_end) as hi from ts.rollup_invalidations i where i.id = any(v_ids) group by i.metric_id) i
     where c.metric_id = i.metric_id and c.range_start <= i.hi and c.range_end > i.lo;
    insert into ops.aggregation_jobs (metric_id, aggregation_level, time_range_start, time_range_end, status, scheduled_at, started_at, completed_at, duration_ms, invalidations, metrics, rows_written)
    values (case when cardinality(v_metrics) = 1 then v_metrics[1] end, 'hour', v_lo, v_hi, 'completed', v_started, v_started, clock_timestamp(),
            (extract(epoch from clock_timestamp() - v_started) * 1000)::integer, cardinality(v_ids), cardinality(v_metrics), v_hours + v_days);
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
  return query select cardinality(v_ids), v_hours, v_days, v_watermark, cardinality(v_ids) >= p_max;
end
$$;

-- A failed run is recorded by the job from outside the failed transaction.
create function private.record_time_series_rollup_failure(p_started timestamptz, p_message text)
  returns void
  language sql volatile security definer set search_path = ''
  as $$
    insert into ops.aggregation_jobs (aggregation_level, time_range_start, time_range_end, status, scheduled_at, started_at, completed_at, duration_ms, error_message)
    select 'hour', coalesce(w.watermark, p_started), p_started, 'failed', p_started, p_started, clock_timestamp(),
           (extract(epoch from clock_timestamp() - p_started) * 1000)::integer, left(p_message, 2000)
      from (select (select x.watermark from ops.rollup_watermarks x where x.name = 'ts.aggregated_metrics') as watermark) w
$$;
grant update on ops.rollup_watermarks to tessera_definer;

select ops.secure_private_functions();
