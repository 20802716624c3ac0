-- Seed 000's prepared statement time_series_aggregated(metric, from, to, bucket), as a function
-- any session can call (a PREPARE lives only as long as its connection): the average and the
-- number of points of one metric per bucket, over every store a point can be in (raw
-- partitions, the late table, compressed segments). SECURITY INVOKER: row-level security
-- applies, so a member sees only the organization of the transaction. The bounds are
-- inclusive, as the seed's "timestamp <= $3"; buckets are date_bin from 2000-01-01 UTC, as
-- TimescaleDB's time_bucket. The series API (src/modules/timeseries) is the fast path: it
-- reads rollups; this is the DBA's and the psql user's tool.
create function ts.time_series_aggregated(p_metric_id uuid, p_from timestamptz, p_to timestamptz, p_bucket interval)
  returns table (time_bucket timestamptz, avg_value numeric, data_points bigint)
  language sql stable set search_path = ''
  as $$
    select date_bin(p_bucket, p."timestamp", timestamptz '2000-01-01 00:00:00+00') as time_bucket, avg(p.value), count(*)
      from (
        select d."timestamp", d.value from ts.time_series_data d
         where d.metric_id = p_metric_id and d."timestamp" >= p_from and d."timestamp" <= p_to
        union all
        select l."timestamp", l.value from ts.time_series_late l
         where l.metric_id = p_metric_id and l."timestamp" >= p_from and l."timestamp" <= p_to
        union all
        select sp."timestamp", sp.value from ts.time_series_segments s
         cross join lateral ts.segment_points(s.first_ts, s.ts_deltas, s."values") sp
         where s.metric_id = p_metric_id and s.last_ts >= p_from and s.first_ts <= p_to
           and sp."timestamp" >= p_from and sp."timestamp" <= p_to) p
     group by 1
     order by 1
$$;
revoke all on function ts.time_series_aggregated(uuid, timestamptz, timestamptz, interval) from public;
grant execute on function ts.time_series_aggregated(uuid, timestamptz, timestamptz, interval) to tessera_runtime;
