-- Seed 002's materialized views (hourly_tool_usage_summary, daily_error_summary,
-- performance_metrics_summary) in schema telemetry, grouped by organization too, and its
-- refresh_analytics_views(), which the worker's analytics:refresh-views calls every 5 minutes.
--
-- Two PostgreSQL facts shape this file:
-- 1. A materialized view has no Row-Level Security. So the runtime role gets no privilege on
--    them; it reads them through security_invoker views over SECURITY DEFINER functions that
--    return only the rows of the caller's organization (and the instance's rows to instance
--    administrators), the same rule as the tables' policies.
-- 2. REFRESH runs the view's query as the view's owner, and the owner is subject to FORCE ROW
--    LEVEL SECURITY on the log tables (it would see no row). So each view selects from an
--    owner-only SECURITY DEFINER function (private.operator_*, run as tessera_definer, which
--    bypasses RLS) that holds the seed's aggregate query.
-- Hours and days are UTC ones whoever refreshes (the functions pin the time zone), like the
-- partitions and rollups everywhere else in Tessera.
-- REFRESH ... CONCURRENTLY needs a unique index on plain columns: one per view, on its grouping
-- columns (NULLS NOT DISTINCT where a grouping column may be null).

create function private.operator_hourly_tool_usage_summary()
  returns table (
    organization_id uuid, hour timestamptz, bcp_name varchar, tool_name varchar, operation varchar,
    total_calls bigint, successful_calls bigint, failed_calls bigint,
    avg_duration_ms integer, median_duration_ms integer, p95_duration_ms integer, max_duration_ms integer, min_duration_ms integer,
    avg_response_size integer, unique_users bigint, unique_sessions bigint)
  language sql stable security definer set search_path = '' set timezone = 'UTC'
  as $$
    select
      l.organization_id,
      date_trunc('hour', l."timestamp") as hour,
      l.bcp_name,
      l.tool_name,
      l.operation,
      count(*) as total_calls,
      count(*) filter (where l.success = true) as successful_calls,
      count(*) filter (where l.success = false) as failed_calls,
      avg(l.duration_ms)::integer as avg_duration_ms,
      percentile_cont(0.5) within group (order by l.duration_ms)::integer as median_duration_ms,
      percentile_cont(0.95) within group (order by l.duration_ms)::integer as p95_duration_ms,
      max(l.duration_ms) as max_duration_ms,
      min(l.duration_ms) as min_duration_ms,
      avg(l.response_size_bytes)::integer as avg_response_size,
      count(distinct l.user_id) as unique_users,
      count(distinct l.session_id) as unique_sessions
    from telemetry.tool_usage_logs l
    where l."timestamp" >= current_date - interval '30 days'
    group by l.organization_id, 2, l.bcp_name, l.tool_name, l.operation
  $$;

create function private.operator_daily_error_summary()
  returns table (
    organization_id uuid, day timestamptz, level varchar, category varchar,
    error_count bigint, affected_users bigint, affected_sessions bigint, resolved_count bigint, unresolved_count bigint,
    avg_severity numeric, error_codes text, first_error timestamptz, last_error timestamptz)
  language sql stable security definer set search_path = '' set timezone = 'UTC'
  as $$
    select
      e.organization_id,
      date_trunc('day', e."timestamp") as day,
      e.level,
      e.category,
      count(*) as error_count,
      count(distinct e.user_id) as affected_users,
      count(distinct e.session_id) as affected_sessions,
      count(*) filter (where e.resolved = true) as resolved_count,
      count(*) filter (where e.resolved = false) as unresolved_count,
      avg(e.severity)::numeric(3, 2) as avg_severity,
      string_agg(distinct e.error_code, ', ') as error_codes,
      min(e."timestamp") as first_error,
      max(e."timestamp") as last_error
    from telemetry.error_logs e
    where e."timestamp" >= current_date - interval '90 days'
    group by e.organization_id, 2, e.level, e.category
  $$;

create function private.operator_performance_metrics_summary()
  returns table (
    organization_id uuid, metric_name varchar, aggregation_period varchar, time_bucket timestamptz,
    avg_value numeric, min_value numeric, max_value numeric, p95_value double precision,
    sample_count bigint, stddev_value numeric)
  language sql stable security definer set search_path = '' set timezone = 'UTC'
  as $$
    select
      m.organization_id,
      m.metric_name,
      m.aggregation_period,
      date_trunc(
        case
          when m.aggregation_period = '1m' then 'minute'
          when m.aggregation_period = '1h' then 'hour'
          when m.aggregation_period = '1d' then 'day'
          else 'hour'
        end,
        m."timestamp") as time_bucket,
      avg(m.metric_value) as avg_value,
      min(m.metric_value) as min_value,
      max(m.metric_value) as max_value,
      percentile_cont(0.95) within group (order by m.metric_value) as p95_value,
      count(*) as sample_count,
      stddev(m.metric_value) as stddev_value
    from telemetry.performance_metrics m
    where m."timestamp" >= current_date - interval '7 days'
    group by m.organization_id, m.metric_name, m.aggregation_period, 4
  $$;

-- Owner-only (operator_): the views below call them when the owner refreshes.
select ops.secure_private_functions();

create materialized view telemetry.hourly_tool_usage_summary as
  select * from private.operator_hourly_tool_usage_summary();
create unique index idx_hourly_tool_usage_key on telemetry.hourly_tool_usage_summary (organization_id, hour, bcp_name, tool_name, operation);
-- The seed's indexes, led by organization_id: every reader filters by its organization.
create index idx_hourly_tool_usage_hour on telemetry.hourly_tool_usage_summary (organization_id, hour desc);
create index idx_hourly_tool_usage_bcp on telemetry.hourly_tool_usage_summary (organization_id, bcp_name, hour desc);
create index idx_hourly_tool_usage_tool on telemetry.hourly_tool_usage_summary (organization_id, tool_name, hour desc);

create materialized view telemetry.daily_error_summary as
  select * from private.operator_daily_error_summary();
create unique index idx_daily_error_summary_key on telemetry.daily_error_summary (organization_id, day, level, category) nulls not distinct;
create index idx_daily_error_summary_day on telemetry.daily_error_summary (organization_id, day desc);
create index idx_daily_error_summary_level on telemetry.daily_error_summary (organization_id, level, day desc);

create materialized view telemetry.performance_metrics_summary as
  select * from private.operator_performance_metrics_summary();
create unique index idx_perf_metrics_summary_key on telemetry.performance_metrics_summary (organization_id, metric_name, aggregation_period, time_bucket) nulls not distinct;
create index idx_perf_metrics_summary_name_time on telemetry.performance_metrics_summary (organization_id, metric_name, time_bucket desc);

-- What the runtime role reads instead: the caller's organization's rows (any active member),
-- and the instance's rows (organization_id null) for instance administrators.
grant select on telemetry.hourly_tool_usage_summary, telemetry.daily_error_summary, telemetry.performance_metrics_summary to tessera_definer;

create function private.readable_hourly_tool_usage_summary()
  returns setof telemetry.hourly_tool_usage_summary
  language sql stable security definer set search_path = ''
  as $$
    select s.* from telemetry.hourly_tool_usage_summary s
     where s.organization_id = app.current_org_id() and private.current_org_role() is not null
  $$;

create function private.readable_daily_error_summary()
  returns setof telemetry.daily_error_summary
  language sql stable security definer set search_path = ''
  as $$
    select s.* from telemetry.daily_error_summary s
     where (s.organization_id = app.current_org_id() and private.current_org_role() is not null)
        or (s.organization_id is null and private.is_instance_admin())
  $$;

create function private.readable_performance_metrics_summary()
  returns setof telemetry.performance_metrics_summary
  language sql stable security definer set search_path = ''
  as $$
    select s.* from telemetry.performance_metrics_summary s
     where (s.organization_id = app.current_org_id() and private.current_org_role() is not null)
        or (s.organization_id is null and private.is_instance_admin())
  $$;

create view telemetry.hourly_tool_usage with (security_invoker = true) as
  select * from private.readable_hourly_tool_usage_summary();
create view telemetry.daily_errors with (security_invoker = true) as
  select * from private.readable_daily_error_summary();
create view telemetry.metrics_summary with (security_invoker = true) as
  select * from private.readable_performance_metrics_summary();
grant select on telemetry.hourly_tool_usage, telemetry.daily_errors, telemetry.metrics_summary to tessera_runtime;

-- seed 002 refresh_analytics_views(): every *_summary materialized view of schema telemetry,
-- refreshed CONCURRENTLY (readers keep reading the previous contents: the refresh takes an
-- EXCLUSIVE lock, which does not conflict with SELECT's ACCESS SHARE), with the time each took.
-- A view never populated (a dump restored WITH NO DATA) cannot be refreshed concurrently; it
-- gets one plain refresh. Runs as the owner role: only a view's owner may refresh it.
create function ops.refresh_analytics_views()
  returns table (view_name text, refresh_time_ms integer)
  language plpgsql
  set search_path = ''
  as $$
declare
  v record;
  v_start timestamptz;
begin
  for v in
    select m.schemaname, m.matviewname, m.ispopulated from pg_catalog.pg_matviews m
     where m.schemaname = 'telemetry' and m.matviewname like '%\_summary'
     order by m.matviewname
  loop
    v_start := clock_timestamp();
    execute format('refresh materialized view %s %I.%I', case when v.ispopulated then 'concurrently' else '' end, v.schemaname, v.matviewname);
    view_name := v.matviewname;
    refresh_time_ms := (extract(epoch from clock_timestamp() - v_start) * 1000)::integer;
    return next;
  end loop;
end
$$;
revoke all on function ops.refresh_analytics_views() from public;

select ops.secure_private_functions();
