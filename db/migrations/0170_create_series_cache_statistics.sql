-- The series query cache figures of the admin Storage page: hits, misses and query times from
-- telemetry.query_performance_logs, and what ts.query_cache holds now, across organizations.
-- The runtime role sees one organization's rows through the policies, so these are SECURITY
-- DEFINER functions that return aggregates only, and only to instance administrators (as
-- private.storage_segment_totals() does for compressed segments).

-- Only the columns the aggregates read. A migration that recreates the table (e.g. to
-- partition it) must grant them again.
grant select (query_kind, cache_hit, execution_time_ms, executed_at) on telemetry.query_performance_logs to tessera_definer;

-- One scan of the last 24 hours of metric series queries (the only kind the cache serves),
-- then the last hour as a subset of it. Rows exist for both periods even when nothing ran
-- (counts 0, times null); nothing at all for anyone but an instance administrator.
create function private.series_cache_statistics()
  returns table (period text, hits bigint, misses bigint, median_ms double precision, p95_ms double precision)
  language sql stable security definer set search_path = ''
  as $$
    with l as materialized (
      select q.cache_hit, q.execution_time_ms, q.executed_at >= now() - interval '1 hour' as last_hour
        from telemetry.query_performance_logs q
       where q.query_kind = 'metric_series'
         and q.executed_at >= now() - interval '24 hours'
         and (select private.is_instance_admin())
    )
    select '1h', count(*) filter (where l.cache_hit), count(*) filter (where not l.cache_hit),
           percentile_cont(0.5) within group (order by l.execution_time_ms),
           percentile_cont(0.95) within group (order by l.execution_time_ms)
      from l where l.last_hour
    having (select private.is_instance_admin())
    union all
    select '24h', count(*) filter (where l.cache_hit), count(*) filter (where not l.cache_hit),
           percentile_cont(0.5) within group (order by l.execution_time_ms),
           percentile_cont(0.95) within group (order by l.execution_time_ms)
      from l
    having (select private.is_instance_admin())
$$;

-- Entries in ts.query_cache now: all of them, those still servable (not expired; the minutely
-- rollup run deletes the others), and the bytes of their rows as stored (results compressed).
create function private.series_cache_totals()
  returns table (entries bigint, live_entries bigint, bytes bigint)
  language sql stable security definer set search_path = ''
  as $$
    select count(*), count(*) filter (where c.expires_at > now()), coalesce(sum(pg_column_size(c.*)), 0)::bigint
      from ts.query_cache c
    having (select private.is_instance_admin())
$$;

select ops.secure_private_functions();
