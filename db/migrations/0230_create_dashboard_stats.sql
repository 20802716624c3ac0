-- Seed 000's dashboard_stats materialized view: per dashboard (not deleted), its widget count,
-- views, last view and the average metric value of its data. The seed joined every raw point
-- whose dimensions named the widget's data source; here a widget names its metric in its data
-- query, and the average is over the last 24 hours of those metrics' hourly totals
-- (ts.aggregated_metrics, 0150): the same meaning, without scanning the raw points.
-- Built like 0181's views: an owner-only SECURITY DEFINER function holds the query (the owner is
-- subject to FORCE ROW LEVEL SECURITY), ops.refresh_analytics_views() refreshes it
-- CONCURRENTLY, and the runtime role reads it only through telemetry.dashboard_statistics,
-- which shows an organization's owners and admins their organization's rows (usage figures of
-- dashboards a member may not be allowed to open stay with the administrators).

grant select (id, name, organization_id, view_count, last_viewed_at, deleted_at) on app.dashboards to tessera_definer;
grant select (id, dashboard_id, data_query) on app.widgets to tessera_definer;

create function private.operator_dashboard_stats()
  returns table (id uuid, name varchar, organization_id uuid, widget_count bigint, view_count integer, last_viewed_at timestamptz, avg_metric_value numeric)
  language sql stable security definer set search_path = '' set timezone = 'UTC'
  as $$
    select d.id, d.name, d.organization_id, count(w.id) as widget_count, d.view_count, d.last_viewed_at,
           (select avg(m.value)
              from ts.aggregated_metrics m
             where m.aggregation_level = 'hour' and m.dimensions is null and m.time_bucket >= now() - interval '24 hours'
               and m.metric_id in (
                 select (x.data_query ->> 'metricId')::uuid from app.widgets x
                  where x.dashboard_id = d.id and x.data_query ->> 'source' = 'metric'
                    and x.data_query ->> 'metricId' ~ '^[0-9a-fA-F-]{36}$')) as avg_metric_value
      from app.dashboards d
      left join app.widgets w on w.dashboard_id = d.id
     where d.deleted_at is null
     group by d.id, d.name, d.organization_id, d.view_count, d.last_viewed_at
  $$;

select ops.secure_private_functions();

create materialized view telemetry.dashboard_stats as
  select * from private.operator_dashboard_stats();
create unique index idx_dashboard_stats_id on telemetry.dashboard_stats (id);
create index idx_dashboard_stats_org on telemetry.dashboard_stats (organization_id);
grant select on telemetry.dashboard_stats to tessera_definer;

create function private.readable_dashboard_stats()
  returns setof telemetry.dashboard_stats
  language sql stable security definer set search_path = ''
  as $$
    select s.* from telemetry.dashboard_stats s
     where s.organization_id = app.current_org_id() and private.current_org_role() in ('owner', 'admin')
  $$;

create view telemetry.dashboard_statistics with (security_invoker = true) as
  select * from private.readable_dashboard_stats();
grant select on telemetry.dashboard_statistics to tessera_runtime;

-- refresh_analytics_views() (0181) also refreshes dashboard_stats.
create or replace function ops.refresh_analytics_views()
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
     where m.schemaname = 'telemetry' and (m.matviewname like '%\_summary' or m.matviewname = 'dashboard_stats')
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
