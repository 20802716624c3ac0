-- Compression of ts.time_series_data (issue 4; seed 000's add_compression_policy after 30 days)
-- and the log of maintenance runs the admin Storage page shows. The worker job ts:compress
-- (src/modules/storage/compression.ts) drives it; the SQL here moves the rows.

-- Every compress and retention run, with its duration and outcome. Instance-wide: no tenant data.
create table ops.maintenance_runs (
  id bigint generated always as identity primary key,
  job text not null check (job ~ '^[a-z0-9:_-]{1,60}$'),
  started_at timestamptz not null,
  finished_at timestamptz not null,
  duration_ms integer not null check (duration_ms >= 0),
  outcome varchar(20) not null check (outcome in ('succeeded', 'failed', 'skipped')),
  details jsonb not null default '{}',
  error text
);
create index idx_maintenance_runs_job on ops.maintenance_runs (job, started_at desc);
grant select on ops.maintenance_runs to tessera_runtime;

-- Segment arrays are TOAST-compressed: lz4 when the server was built with it (faster, about
-- as small), pglz otherwise (the embedded PostgreSQL has no lz4). toast_tuple_target makes
-- PostgreSQL try compression on rows above 128 bytes instead of the default ~2 kB, so the
-- segments of sparse series (a few dozen points a day) are compressed too.
do $$
declare
  v_method text := case when exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals))
                        then 'lz4' else 'pglz' end;
begin
  execute format('alter table ts.time_series_segments alter column ts_deltas set compression %s', v_method);
  execute format('alter table ts.time_series_segments alter column "values" set compression %s', v_method);
end
$$;
alter table ts.time_series_segments set (toast_tuple_target = 128);

-- Moves the points of one UTC day into its segments: the rows of p_partition (a
-- ts.time_series_data partition, or the same table once detached; null when the partition is
-- gone) and the day's rows of ts.time_series_late, for the metrics whose compression delay
-- (app.metrics.compress_after_days, else p_default_days) has passed at p_now, or all of them
-- when p_force. Points are merged with the day's existing segment of the same series, sorted
-- by (timestamp, value) and delta-encoded (microseconds). One statement: readers see the points
-- either raw or in segments, never both nor neither.
--
-- Why SECURITY DEFINER: the owner role is subject to FORCE ROW LEVEL SECURITY, and this is one
-- set-based pass over every tenant's rows (as private.refresh_pipeline_data_hourly in 0091).
-- operator_ prefix: ops.secure_private_functions() lets only the owner role (the worker's
-- maintenance connection) call it, never the runtime roles. The owner grants tessera_definer
-- select/delete on the one partition first (ops.compress_time_series_day); the catalogue check
-- below keeps the dynamic table name to ts.time_series_data partitions.
grant select (id, compress_after_days) on app.metrics to tessera_definer;
grant select, delete on ts.time_series_late to tessera_definer;
grant select, insert, update, delete on ts.time_series_segments to tessera_definer;
create function private.operator_compress_time_series_day(p_partition regclass, p_day date, p_default_days integer, p_now timestamptz, p_force boolean)
  returns table (series integer, points bigint, late_points bigint, has_rows boolean)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_lo timestamptz := p_day::timestamp at time zone 'UTC';
  v_hi timestamptz := (p_day + 1)::timestamp at time zone 'UTC';
  v_eligible text := $e$($5 or $2 <= $4 - make_interval(days => coalesce((select m.compress_after_days from app.metrics m where m.id = %1$s.metric_id), $6)))$e$;
  v_moved text := 'select null::uuid as organization_id, null::uuid as metric_id, null::jsonb as dimensions, null::timestamptz as "timestamp", null::numeric as value where false';
begin
  if p_partition is not null then
    if not exists (select 1 from ops.partitions p where p.parent_table = 'ts.time_series_data' and p.partition_table = p_partition::text and p.range_start = v_lo) then
      raise exception '% is not the ts.time_series_data partition of %', p_partition, p_day;
    end if;
    v_moved := format('delete from %s t where t."timestamp" >= $1 and t."timestamp" < $2 and %s returning t.organization_id, t.metric_id, t.dimensions, t."timestamp", t.value',
                      p_partition, format(v_eligible, 't'));
  end if;
  execute format($q$
    with moved as (%s),
    late as (
      delete from ts.time_series_late l where l."timestamp" >= $1 and l."timestamp" < $2 and %s
      returning l.organization_id, l.metric_id, l.dimensions, l."timestamp", l.value),
    incoming as (select * from moved union all select * from late),
    keys as (select distinct i.organization_id, i.metric_id, i.dimensions from incoming i),
    existing as (
      select s.organization_id, s.metric_id, s.dimensions, p."timestamp", p.value
        from ts.time_series_segments s
        join keys k on k.organization_id = s.organization_id and k.metric_id = s.metric_id and k.dimensions = s.dimensions
        cross join lateral ts.segment_points(s.first_ts, s.ts_deltas, s."values") p
       where s.day = $3),
    pts as (select * from incoming union all select * from existing),
    ordered as (
      select p.*, min(p."timestamp") over w as first_ts, row_number() over wo as ord,
             (extract(epoch from p."timestamp" - coalesce(lag(p."timestamp") over wo, min(p."timestamp") over w)) * 1000000)::bigint as delta
        from pts p
      window w as (partition by p.organization_id, p.metric_id, p.dimensions),
             wo as (partition by p.organization_id, p.metric_id, p.dimensions order by p."timestamp", p.value)),
    written as (
      insert into ts.time_series_segments as s
        (organization_id, metric_id, day, dimensions, point_count, first_ts, last_ts, ts_deltas, "values", sum_value, min_value, max_value, compressed_at)
      select o.organization_id, o.metric_id, $3, o.dimensions, count(*), min(o.first_ts), max(o."timestamp"),
             array_agg(o.delta order by o.ord), array_agg(o.value order by o.ord), sum(o.value), min(o.value), max(o.value), now()
        from ordered o group by o.organization_id, o.metric_id, o.dimensions
      on conflict (organization_id, metric_id, day, dimensions) do update
        set point_count = excluded.point_count, first_ts = excluded.first_ts, last_ts = excluded.last_ts,
            ts_deltas = excluded.ts_deltas, "values" = excluded."values", sum_value = excluded.sum_value,
            min_value = excluded.min_value, max_value = excluded.max_value, compressed_at = excluded.compressed_at
      returning 1)
    select (select count(*) from written)::integer, (select count(*) from moved), (select count(*) from late)$q$,
    v_moved, format(v_eligible, 'l'))
    into series, points, late_points
    using v_lo, v_hi, p_day, p_now, p_force, p_default_days;
  -- Whether the partition still holds rows (metrics with a longer delay, or points that
  -- arrived after this statement's snapshot): the caller detaches only an empty partition.
  if p_partition is not null then
    execute format('select exists (select 1 from %s)', p_partition) into has_rows;
  end if;
  return next;
end
$$;

-- The owner's side of compressing one day: blocks inserts into the day's partition for the
-- duration (EXCLUSIVE still lets queries read it), lets tessera_definer reach it, moves the
-- rows, and when the partition is left empty and p_detach allows, marks it 'compressed' in the
-- catalogue, so the points write path sends that day's points to ts.time_series_late from now
-- on. The caller then detaches (concurrently, outside a transaction) and drops it.
create function ops.compress_time_series_day(p_day date, p_default_days integer, p_now timestamptz, p_detach boolean)
  returns table (series integer, points bigint, late_points bigint, has_rows boolean, partition_table text)
  language plpgsql
  set search_path = ''
  as $$
declare
  v_partition text;
  v_result record;
begin
  select p.partition_table into v_partition from ops.partitions p
   where p.parent_table = 'ts.time_series_data' and p.range_start = p_day::timestamp at time zone 'UTC' and p.state = 'attached'
     and to_regclass(p.partition_table) is not null;
  if v_partition is not null then
    execute format('lock table %s in exclusive mode', v_partition);
    execute format('grant select, delete on %s to tessera_definer', v_partition);
  end if;
  select * into v_result from private.operator_compress_time_series_day(v_partition::regclass, p_day, p_default_days, p_now, false);
  if v_partition is not null and p_detach and not v_result.has_rows then
    update ops.partitions set state = 'compressed', changed_at = now() where ops.partitions.partition_table = v_partition;
  end if;
  return query select v_result.series, v_result.points, v_result.late_points, coalesce(v_result.has_rows, false), v_partition;
end
$$;
revoke all on function ops.compress_time_series_day(date, integer, timestamptz, boolean) from public;

-- After the detach: rows that reached the partition between the compression's commit and the
-- detach (a writer that read the catalogue just before) go into the segments too, whatever
-- their metric's delay (the day has no raw storage any more). Returns the points moved.
create function ops.absorb_detached_time_series(p_partition text, p_day date)
  returns bigint
  language plpgsql
  set search_path = ''
  as $$
declare
  v_points bigint;
begin
  select r.points into v_points from private.operator_compress_time_series_day(p_partition::regclass, p_day, 1, now(), true) r;
  return v_points;
end
$$;
revoke all on function ops.absorb_detached_time_series(text, date) from public;

-- What the owner cannot read itself (FORCE RLS) but ts:compress must know to plan a run: the
-- shortest compression delay of any metric, and the days ts.time_series_late holds points of.
create function private.operator_min_compress_after_days(p_default integer)
  returns integer
  language sql stable security definer set search_path = ''
  as $$
    select least(p_default, (select min(m.compress_after_days) from app.metrics m))
$$;
create function private.operator_late_days()
  returns table (day date)
  language sql stable security definer set search_path = ''
  as $$
    select distinct (l."timestamp" at time zone 'UTC')::date from ts.time_series_late l order by 1
$$;

-- Compressed bytes and points per day across organizations, for the admin Storage page
-- (instance administrators only; the runtime role sees one organization's segments).
-- raw_bytes_estimate: what the points took as rows of ts.time_series_data (tuple header and
-- line pointer 28 bytes, fixed columns 56, plus value and dimensions), for the ratio.
create function private.storage_segment_totals()
  returns table (day date, series bigint, points bigint, compressed_bytes bigint, raw_bytes_estimate bigint)
  language sql stable security definer set search_path = ''
  as $$
    select s.day, count(*), sum(s.point_count)::bigint,
           sum(pg_column_size(s.ts_deltas) + pg_column_size(s."values") + pg_column_size(s.dimensions) + 96)::bigint,
           sum(s.point_count::bigint * (84 + 8 + pg_column_size(s.dimensions) + 3))::bigint
      from ts.time_series_segments s
     where (select private.is_instance_admin())
     group by s.day
     order by s.day desc
$$;

select ops.secure_private_functions();
