-- Compression of ingest.pipeline_data (issue 4; seed 001's add_compression_policy('pipeline_data',
-- INTERVAL '7 days')), on the design of ts.time_series_data's (0130): old daily partitions are
-- rewritten into per-pipeline day segments of arrays, the emptied partition is detached and
-- dropped. The worker job ingest:compress (src/modules/pipeline-data/compression.ts) drives it;
-- the SQL here moves the rows. Readers: src/modules/pipeline-data/stored-rows.ts.

-- Per-pipeline compression delay in days (null: the job's default, 7).
alter table ingest.pipelines add column compress_after_days integer
  check (compress_after_days is null or compress_after_days between 1 and 3650);

-- One row per pipeline, UTC day of ingested_at and chunk (seq) of at most 1,000 rows or about
-- 4 MB of documents, rows ordered by (ingested_at, id). Every column of pipeline_data is kept:
--   id:               first_id + running sum of id_deltas (the first delta is 0; ids of a batch
--                     are consecutive, so the deltas are mostly 1 and compress to little);
--   ingested_at:      first_ingested_at + running sum of ingested_deltas, in microseconds
--                     (rows of one batch share their instant: runs of 0);
--   record_time:      ingested_at + record_offsets (microseconds; mostly 0 or small);
--   ingestion_job_id: job_ids, one per row (runs of the same batch compress away);
--   data:             the documents, in the same order.
-- min/max record_time let record-time queries skip segments without decoding them; data_bytes
-- is what the documents counted for in the organization's storage use (pg_column_size, as at
-- insert), so retention and pipeline deletion can give it back.
create table ingest.pipeline_data_segments (
  organization_id uuid not null,
  pipeline_id uuid not null,
  day date not null,
  seq integer not null check (seq >= 0),
  row_count integer not null check (row_count > 0),
  first_ingested_at timestamptz not null,
  last_ingested_at timestamptz not null,
  min_record_time timestamptz not null,
  max_record_time timestamptz not null,
  first_id bigint not null,
  data_bytes bigint not null check (data_bytes >= 0),
  id_deltas bigint[] not null,
  ingested_deltas bigint[] not null,
  record_offsets bigint[] not null,
  job_ids uuid[] not null,
  data jsonb[] not null,
  compressed_at timestamptz not null default now(),
  primary key (organization_id, pipeline_id, day, seq),
  check (first_ingested_at <= last_ingested_at and min_record_time <= max_record_time),
  check (cardinality(id_deltas) = row_count and cardinality(ingested_deltas) = row_count and cardinality(record_offsets) = row_count
         and cardinality(job_ids) = row_count and cardinality(data) = row_count)
);
call ops.apply_tenant_policies('ingest.pipeline_data_segments');

-- TOAST compression of the arrays: lz4 when the server was built with it, pglz otherwise (the
-- embedded PostgreSQL has no lz4); toast_tuple_target makes PostgreSQL compress rows above
-- 128 bytes instead of the default ~2 kB, so small segments are compressed too (as in 0130).
do $$
declare
  v_method text := case when exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals))
                        then 'lz4' else 'pglz' end;
  v_column text;
begin
  foreach v_column in array array['id_deltas', 'ingested_deltas', 'record_offsets', 'job_ids', 'data'] loop
    execute format('alter table ingest.pipeline_data_segments alter column %I set compression %s', v_column, v_method);
  end loop;
end
$$;
alter table ingest.pipeline_data_segments set (toast_tuple_target = 128);

-- The rows of one segment, in their stored order (ord from 1). The multiplication of an
-- interval of one microsecond by a whole number is exact, so timestamps round-trip to the
-- microsecond.
create function ingest.pipeline_segment_rows(p_first_id bigint, p_first_ingested_at timestamptz, p_id_deltas bigint[],
                                             p_ingested_deltas bigint[], p_record_offsets bigint[], p_job_ids uuid[], p_data jsonb[])
  returns table (ord bigint, id bigint, ingested_at timestamptz, record_time timestamptz, ingestion_job_id uuid, data jsonb)
  language sql immutable parallel safe set search_path = ''
  as $$
    select r.ord, p_first_id + r.id_sum, r.ingested_at, r.ingested_at + r.record_offset * interval '1 microsecond', r.job_id, r.doc
      from (select u.ord, u.job_id, u.doc, u.record_offset,
                   (sum(u.id_delta) over w)::bigint as id_sum,
                   p_first_ingested_at + (sum(u.ingested_delta) over w)::bigint * interval '1 microsecond' as ingested_at
              from unnest(p_id_deltas, p_ingested_deltas, p_record_offsets, p_job_ids, p_data)
                   with ordinality as u(id_delta, ingested_delta, record_offset, job_id, doc, ord)
            window w as (order by u.ord)) r
$$;
revoke all on function ingest.pipeline_segment_rows(bigint, timestamptz, bigint[], bigint[], bigint[], uuid[], jsonb[]) from public;
grant execute on function ingest.pipeline_segment_rows(bigint, timestamptz, bigint[], bigint[], bigint[], uuid[], jsonb[]) to tessera_runtime, tessera_definer;

-- Moves the rows of one UTC day from p_partition (a pipeline_data partition, or the same table
-- once detached) into segments, for the pipelines whose delay (ingest.pipelines.
-- compress_after_days, else p_default_days) has passed at p_now, or all of them when p_force.
-- Rows of a (pipeline, day) that already has segments (a row that reached the partition after
-- the day was compressed) become further chunks of that day. One statement: readers see a row
-- either raw or in a segment, never both nor neither.
--
-- Why SECURITY DEFINER: the owner role is subject to FORCE ROW LEVEL SECURITY, and this is one
-- set-based pass over every tenant's rows (as 0130). operator_ prefix: only the owner role
-- (the worker's maintenance connection) may call it. The owner grants tessera_definer select
-- and delete on the one partition first (ops.compress_pipeline_data_day); the catalogue check
-- keeps the dynamic table name to pipeline_data partitions.
grant select (id, compress_after_days) on ingest.pipelines to tessera_definer;
grant select, insert, update, delete on ingest.pipeline_data_segments to tessera_definer;
create function private.operator_compress_pipeline_data_day(p_partition regclass, p_day date, p_default_days integer, p_now timestamptz, p_force boolean)
  returns table (segments integer, moved_rows bigint, has_rows boolean)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_lo timestamptz := p_day::timestamp at time zone 'UTC';
  v_hi timestamptz := (p_day + 1)::timestamp at time zone 'UTC';
begin
  if not exists (select 1 from ops.partitions p where p.parent_table = 'ingest.pipeline_data' and p.partition_table = p_partition::text and p.range_start = v_lo) then
    raise exception '% is not the ingest.pipeline_data partition of %', p_partition, p_day;
  end if;
  execute format($q$
    with moved as (
      delete from %s t
       where t.ingested_at >= $1 and t.ingested_at < $2
         and ($5 or $2 <= $4 - make_interval(days => coalesce((select p.compress_after_days from ingest.pipelines p where p.id = t.pipeline_id), $6)))
      returning t.organization_id, t.pipeline_id, t.id, t.ingested_at, t.record_time, t.ingestion_job_id, t.data),
    ordered as (
      select m.*, row_number() over w as rn,
             coalesce(sum(pg_column_size(m.data)) over (w rows between unbounded preceding and 1 preceding), 0) as bytes_before
        from moved m
      window w as (partition by m.organization_id, m.pipeline_id order by m.ingested_at, m.id)),
    -- Both keys only grow along the order, so equal pairs are runs: a chunk holds at most $7
    -- rows and starts before $8 bytes of documents are reached.
    chunked as (
      select o.*, dense_rank() over (partition by o.organization_id, o.pipeline_id order by (o.rn - 1) / $7, o.bytes_before / $8) - 1 as chunk
        from ordered o),
    encoded as (
      select c.organization_id, c.pipeline_id, c.chunk, c.rn, c.id, c.ingested_at, c.record_time, c.ingestion_job_id, c.data,
             coalesce(c.id - lag(c.id) over w, 0) as id_delta,
             coalesce((extract(epoch from c.ingested_at - lag(c.ingested_at) over w) * 1000000)::bigint, 0) as ingested_delta,
             (extract(epoch from c.record_time - c.ingested_at) * 1000000)::bigint as record_offset
        from chunked c
      window w as (partition by c.organization_id, c.pipeline_id, c.chunk order by c.rn)),
    grouped as (
      select e.organization_id, e.pipeline_id,
             e.chunk + coalesce((select max(x.seq) + 1 from ingest.pipeline_data_segments x
                                  where x.organization_id = e.organization_id and x.pipeline_id = e.pipeline_id and x.day = $3), 0) as seq,
             count(*)::integer as row_count, min(e.ingested_at) as first_ingested_at, max(e.ingested_at) as last_ingested_at,
             min(e.record_time) as min_record_time, max(e.record_time) as max_record_time, (array_agg(e.id order by e.rn))[1] as first_id,
             array_agg(e.id_delta order by e.rn) as id_deltas, array_agg(e.ingested_delta order by e.rn) as ingested_deltas,
             array_agg(e.record_offset order by e.rn) as record_offsets, array_agg(e.ingestion_job_id order by e.rn) as job_ids,
             array_agg(e.data order by e.rn) as data
        from encoded e
       group by e.organization_id, e.pipeline_id, e.chunk),
    written as (
      insert into ingest.pipeline_data_segments
        (organization_id, pipeline_id, day, seq, row_count, first_ingested_at, last_ingested_at, min_record_time, max_record_time,
         first_id, data_bytes, id_deltas, ingested_deltas, record_offsets, job_ids, data, compressed_at)
      -- Array elements are stored uncompressed: their sizes are what the insert counted.
      select g.organization_id, g.pipeline_id, $3, g.seq, g.row_count, g.first_ingested_at, g.last_ingested_at, g.min_record_time,
             g.max_record_time, g.first_id, (select coalesce(sum(pg_column_size(x)), 0) from unnest(g.data) x), g.id_deltas,
             g.ingested_deltas, g.record_offsets, g.job_ids, g.data, now()
        from grouped g
      returning row_count)
    select count(*)::integer, coalesce(sum(w.row_count), 0)::bigint from written w$q$, p_partition)
    into segments, moved_rows
    using v_lo, v_hi, p_day, p_now, p_force, p_default_days, 1000, 4194304;
  -- Whether the partition still holds rows (pipelines with a longer delay, or rows that arrived
  -- after this statement's snapshot): the caller detaches only an empty partition.
  execute format('select exists (select 1 from %s)', p_partition) into has_rows;
  return next;
end
$$;

-- The owner's side of compressing one day (as ops.compress_time_series_day): blocks writes to
-- the day's partition for the duration (EXCLUSIVE still lets queries read it), lets
-- tessera_definer reach it, moves the rows, and when the partition is left empty and p_detach
-- allows, marks it 'compressed' in the catalogue. The caller then detaches it (concurrently,
-- outside a transaction), absorbs what slipped in, and drops it.
create function ops.compress_pipeline_data_day(p_day date, p_default_days integer, p_now timestamptz, p_detach boolean)
  returns table (segments integer, moved_rows bigint, has_rows boolean, partition_table text)
  language plpgsql
  set search_path = ''
  as $$
declare
  v_partition text;
  v_result record;
begin
  select p.partition_table into v_partition from ops.partitions p
   where p.parent_table = 'ingest.pipeline_data' and p.range_start = p_day::timestamp at time zone 'UTC' and p.state = 'attached'
     and to_regclass(p.partition_table) is not null;
  if v_partition is null then
    return query select 0, 0::bigint, false, null::text;
    return;
  end if;
  execute format('lock table %s in exclusive mode', v_partition);
  execute format('grant select, delete on %s to tessera_definer', v_partition);
  select * into v_result from private.operator_compress_pipeline_data_day(v_partition::regclass, p_day, p_default_days, p_now, false);
  if p_detach and not v_result.has_rows then
    update ops.partitions set state = 'compressed', changed_at = now() where ops.partitions.partition_table = v_partition;
  end if;
  return query select v_result.segments, v_result.moved_rows, v_result.has_rows, v_partition;
end
$$;
revoke all on function ops.compress_pipeline_data_day(date, integer, timestamptz, boolean) from public;

-- After the detach: rows that reached the partition between the compression's commit and the
-- detach go into the segments too, whatever their pipeline's delay (the day has no raw storage
-- any more). Returns the rows moved.
create function ops.absorb_detached_pipeline_data(p_partition text, p_day date)
  returns bigint
  language plpgsql
  set search_path = ''
  as $$
declare
  v_rows bigint;
begin
  select r.moved_rows into v_rows from private.operator_compress_pipeline_data_day(p_partition::regclass, p_day, 1, now(), true) r;
  return v_rows;
end
$$;
revoke all on function ops.absorb_detached_pipeline_data(text, date) from public;

-- What the owner cannot read itself (FORCE RLS) but ingest:compress must know to plan a run:
-- the shortest compression delay of any pipeline.
create function private.operator_min_pipeline_compress_after_days(p_default integer)
  returns integer
  language sql stable security definer set search_path = ''
  as $$
    select least(p_default, (select min(p.compress_after_days) from ingest.pipelines p))
$$;

select ops.secure_private_functions();
