-- Records per pipeline and UTC hour of record_time (issue 5, cold dashboards): the count
-- widgets of a pipeline bucket by record_time, which pipeline_data_hourly (by ingested hour)
-- cannot answer, so they read every raw record. This table is kept in the same pass as
-- pipeline_data_hourly, by the minute job pipeline-data:rollup, behind the same watermark.
--
-- Invariant: record_count(pipeline, hour) = the stored records (raw and compressed) of the
-- pipeline with record_time in the hour and ingested_at below the watermark of
-- ops.rollup_watermarks 'ingest.pipeline_data_hourly'. Readers add the rows ingested since
-- (src/modules/timeseries/pipeline-series.ts). Writers:
--   the rollup adds the rows ingested between the old and the new watermark (additive: each
--     row is counted once, when the watermark passes it);
--   every delete of stored rows subtracts the deleted rows below the watermark in the same
--     transaction: pipeline retention (src/modules/pipeline-data/retention.ts, raw rows and
--     segments), the instance retention (src/modules/storage/retention.ts: archived
--     partitions, and expired segments through the function redefined below);
--   deleting a pipeline cascades; compression moves rows below the watermark between raw and
--     segments, which changes no count.
-- Subtractions stop at zero: should the invariant ever break (a batch whose transaction
-- outlived the rollup's 5-minute margin is never counted), a count errs low instead of
-- failing the check below and blocking that pipeline's retention for good.
-- Rollup and deleters serialize on a transaction advisory lock (key below: the rollup takes it
-- exclusive, deleters shared), so a delete never reads a watermark that a running refresh is
-- about to move past rows the delete removes.
create table ingest.pipeline_record_hours (
  organization_id uuid not null,
  pipeline_id uuid not null,
  -- date_trunc('hour', record_time, 'UTC')
  hour timestamptz not null,
  record_count bigint not null check (record_count >= 0),
  primary key (pipeline_id, hour),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade
);
create index idx_pipeline_record_hours_org on ingest.pipeline_record_hours (organization_id, pipeline_id, hour);
call ops.apply_tenant_policies('ingest.pipeline_record_hours');

grant select, insert, update, delete on ingest.pipeline_record_hours to tessera_definer;
grant select (record_time) on ingest.pipeline_data to tessera_definer;

-- The advisory lock key shared by the rollup and the deleters (hashtextextended of the table name).
create function ingest.pipeline_record_hours_lock_key() returns bigint
  language sql immutable parallel safe set search_path = ''
  as $$ select hashtextextended('ingest.pipeline_record_hours', 0) $$;
grant execute on function ingest.pipeline_record_hours_lock_key() to tessera_runtime, tessera_definer;

-- 0091's refresh, unchanged but for the lock at the start and the additive count of
-- pipeline_record_hours inside the same retried block (a foreign_key_violation undoes both).
create or replace function private.refresh_pipeline_data_hourly(p_margin interval, p_max_window interval)
  returns table (buckets integer, window_start timestamptz, window_end timestamptz, watermark timestamptz)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_watermark timestamptz;
  v_new_watermark timestamptz;
  v_lo timestamptz;
  v_hi timestamptz := now();
  v_first_hour timestamptz;
  v_buckets integer := 0;
  v_attempt integer := 0;
begin
  perform pg_advisory_xact_lock(ingest.pipeline_record_hours_lock_key());
  select w.watermark into v_watermark from ops.rollup_watermarks w where w.name = 'ingest.pipeline_data_hourly' for update;
  if not found then
    raise exception 'ops.rollup_watermarks has no row for ingest.pipeline_data_hourly';
  end if;
  v_lo := v_watermark;
  if v_lo = '-infinity' then
    v_lo := coalesce((select min(p.range_start) from ops.partitions p where p.parent_table = 'ingest.pipeline_data' and p.state = 'attached'), v_hi);
  end if;
  v_hi := least(v_hi, v_lo + p_max_window);
  v_first_hour := date_trunc('hour', v_lo, 'UTC');
  v_new_watermark := greatest(v_watermark, v_hi - p_margin);
  if v_lo < v_hi then
    loop
      begin
        with touched as (
          select distinct d.pipeline_id, d.organization_id, date_trunc('hour', d.ingested_at, 'UTC') as bucket
            from ingest.pipeline_data d
           where d.ingested_at >= v_lo and d.ingested_at < v_hi
        ), counted as (
          select t.pipeline_id, t.organization_id, t.bucket, c.n, c.bytes
            from touched t
            cross join lateral (
              select count(*) as n, coalesce(sum(pg_column_size(d.data)), 0) as bytes
                from ingest.pipeline_data d
               where d.pipeline_id = t.pipeline_id
                 and d.ingested_at >= t.bucket and d.ingested_at < least(t.bucket + interval '1 hour', v_hi)
                 -- The window's own bounds, for pruning before the join runs.
                 and d.ingested_at >= v_first_hour and d.ingested_at < v_hi) c
           -- A pipeline deleted since (its rows go with it) gets no rollup row.
           where exists (select 1 from ingest.pipelines p where p.id = t.pipeline_id)
        ), upserted as (
          insert into ingest.pipeline_data_hourly as h (organization_id, pipeline_id, bucket, record_count, total_bytes, updated_at)
          select c.organization_id, c.pipeline_id, c.bucket, c.n, c.bytes, now() from counted c
          on conflict (pipeline_id, bucket) do update
            set record_count = excluded.record_count, total_bytes = excluded.total_bytes, updated_at = excluded.updated_at
            where (h.record_count, h.total_bytes) is distinct from (excluded.record_count, excluded.total_bytes)
          returning 1)
        select count(*)::integer into v_buckets from upserted;
        -- Rows the watermark passes now, counted once by record hour. Unlike the recount
        -- above, this adds: the window is exactly [old watermark, new watermark). A watermark
        -- at -infinity (a fresh install, or one reset to recount) starts over from nothing and
        -- counts the compressed rows too.
        if v_watermark = '-infinity' then
          delete from ingest.pipeline_record_hours;
        end if;
        if v_watermark < v_new_watermark then
          insert into ingest.pipeline_record_hours as h (organization_id, pipeline_id, hour, record_count)
          select x.organization_id, x.pipeline_id, date_trunc('hour', x.record_time, 'UTC'), count(*)
            from (select d.organization_id, d.pipeline_id, d.record_time
                    from ingest.pipeline_data d
                   where d.ingested_at >= v_watermark and d.ingested_at < v_new_watermark
                  union all
                  select s.organization_id, s.pipeline_id, r.record_time
                    from ingest.pipeline_data_segments s
                   cross join lateral ingest.pipeline_segment_rows(s.first_id, s.first_ingested_at, s.id_deltas, s.ingested_deltas,
                                                                   s.record_offsets, s.job_ids, s.data) r
                   where v_watermark = '-infinity' and r.ingested_at < v_new_watermark) x
           where exists (select 1 from ingest.pipelines p where p.id = x.pipeline_id)
           group by 1, 2, 3
          on conflict (pipeline_id, hour) do update set record_count = h.record_count + excluded.record_count;
        end if;
        exit;
      exception when foreign_key_violation then
        -- A pipeline was deleted between this statement's snapshot and its insert: the next
        -- attempt's snapshot no longer sees its rows.
        v_attempt := v_attempt + 1;
        if v_attempt >= 3 then
          raise;
        end if;
      end;
    end loop;
  end if;
  update ops.rollup_watermarks w
     set watermark = v_new_watermark, refreshed_at = v_hi, updated_at = now()
   where w.name = 'ingest.pipeline_data_hourly'
  returning w.watermark into v_watermark;
  return query select v_buckets, v_lo, v_hi, v_watermark;
end
$$;

-- Subtracts counts of deleted rows (p_counts: [{pipeline_id, hour, n}]) and deletes the hours
-- left at zero. For the owner's connection (storage retention of archived partitions), which
-- FORCE ROW LEVEL SECURITY would confine to one organization; the caller holds the shared
-- advisory lock and counted only rows below the watermark.
create function private.operator_subtract_pipeline_record_hours(p_counts jsonb)
  returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_hours integer;
begin
  with c as (
    select (e->>'pipeline_id')::uuid as pipeline_id, (e->>'hour')::timestamptz as hour, sum((e->>'n')::bigint) as n
      from jsonb_array_elements(p_counts) e group by 1, 2)
  update ingest.pipeline_record_hours h set record_count = greatest(h.record_count - c.n, 0)
    from c where h.pipeline_id = c.pipeline_id and h.hour = c.hour;
  get diagnostics v_hours = row_count;
  delete from ingest.pipeline_record_hours h
   where h.record_count = 0
     and (h.pipeline_id, h.hour) in (select (e->>'pipeline_id')::uuid, (e->>'hour')::timestamptz from jsonb_array_elements(p_counts) e);
  return v_hours;
end
$$;

-- 0154's function, which now also subtracts the taken rows from pipeline_record_hours in the
-- same statement (so exactly the rows deleted), under the shared lock. Hours it leaves at zero
-- stay (readers skip them): finding them would scan the table, for a path that runs on days
-- years old.
create or replace function private.operator_take_expired_pipeline_segments(p_before date, p_limit integer)
  returns table (row_data jsonb)
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  perform pg_advisory_xact_lock_shared(ingest.pipeline_record_hours_lock_key());
  return query
  with taken as (
    delete from ingest.pipeline_data_segments s
     where (s.organization_id, s.pipeline_id, s.day, s.seq) in (
       select x.organization_id, x.pipeline_id, x.day, x.seq from ingest.pipeline_data_segments x where x.day < p_before limit p_limit)
    returning s.*),
  decoded as (
    select t.pipeline_id, t.organization_id, r.id, r.ingested_at, r.record_time, r.ingestion_job_id, r.data
      from taken t
     cross join lateral ingest.pipeline_segment_rows(t.first_id, t.first_ingested_at, t.id_deltas, t.ingested_deltas, t.record_offsets, t.job_ids, t.data) r),
  counted as (
    select d.pipeline_id, date_trunc('hour', d.record_time, 'UTC') as hour, count(*) as n
      from decoded d
     where d.ingested_at < (select w.watermark from ops.rollup_watermarks w where w.name = 'ingest.pipeline_data_hourly')
     group by 1, 2),
  subtracted as (
    update ingest.pipeline_record_hours h set record_count = greatest(h.record_count - c.n, 0)
      from counted c where h.pipeline_id = c.pipeline_id and h.hour = c.hour)
  select jsonb_build_object('id', d.id, 'pipeline_id', d.pipeline_id, 'organization_id', d.organization_id, 'ingested_at', d.ingested_at,
                            'record_time', d.record_time, 'ingestion_job_id', d.ingestion_job_id, 'data', d.data)
    from decoded d;
end
$$;

-- Backfill: existing installs count their rows already below the watermark (raw partitions
-- and compressed segments), so the table is right from the first read after the upgrade.
create function private.operator_backfill_pipeline_record_hours()
  returns bigint
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_watermark timestamptz;
  v_rows bigint;
begin
  perform pg_advisory_xact_lock(ingest.pipeline_record_hours_lock_key());
  select w.watermark into v_watermark from ops.rollup_watermarks w where w.name = 'ingest.pipeline_data_hourly' for update;
  if v_watermark is null or v_watermark = '-infinity' then
    return 0;
  end if;
  with stored as (
    select d.organization_id, d.pipeline_id, d.record_time
      from ingest.pipeline_data d
     where d.ingested_at < v_watermark
    union all
    select s.organization_id, s.pipeline_id, r.record_time
      from ingest.pipeline_data_segments s
     cross join lateral ingest.pipeline_segment_rows(s.first_id, s.first_ingested_at, s.id_deltas, s.ingested_deltas, s.record_offsets, s.job_ids, s.data) r
     where r.ingested_at < v_watermark),
  inserted as (
    insert into ingest.pipeline_record_hours as h (organization_id, pipeline_id, hour, record_count)
    select st.organization_id, st.pipeline_id, date_trunc('hour', st.record_time, 'UTC'), count(*)
      from stored st
     where exists (select 1 from ingest.pipelines p where p.id = st.pipeline_id)
     group by 1, 2, 3
    on conflict (pipeline_id, hour) do update set record_count = h.record_count + excluded.record_count
    returning record_count)
  select coalesce(sum(record_count), 0) into v_rows from inserted;
  return v_rows;
end
$$;

select ops.secure_private_functions();
select private.operator_backfill_pipeline_record_hours();
