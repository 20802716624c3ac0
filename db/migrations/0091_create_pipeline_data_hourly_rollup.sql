-- Seed 001's continuous aggregate pipeline_data_hourly (time_bucket('1 hour', ingested_at):
-- record_count, total_bytes per pipeline and hour) without TimescaleDB: a table kept current
-- incrementally by the worker job pipeline-data:rollup through a watermark.

create table ingest.pipeline_data_hourly (
  organization_id uuid not null,
  pipeline_id uuid not null,
  -- The UTC hour, like time_bucket('1 hour', ingested_at).
  bucket timestamptz not null,
  record_count bigint not null check (record_count >= 0),
  total_bytes bigint not null check (total_bytes >= 0),
  updated_at timestamptz not null default now(),
  primary key (pipeline_id, bucket),
  -- Deleting a pipeline deletes its rollup rows with it.
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade
);
create index idx_pipeline_data_hourly_org on ingest.pipeline_data_hourly (organization_id, pipeline_id, bucket);
call ops.apply_tenant_policies('ingest.pipeline_data_hourly');

-- Progress of incremental rollups: rows ingested before `watermark` are rolled up (see below
-- for the safety margin); refreshed_at is when the last refresh ran (the API's asOf).
create table ops.rollup_watermarks (
  name text primary key,
  watermark timestamptz not null,
  refreshed_at timestamptz,
  updated_at timestamptz not null default now()
);
-- -infinity: the first refresh starts at the oldest partition, so data stored before this
-- migration is rolled up too.
insert into ops.rollup_watermarks (name, watermark) values ('ingest.pipeline_data_hourly', '-infinity');
grant select on ops.rollup_watermarks to tessera_runtime;
grant select, update on ops.rollup_watermarks to tessera_definer;

-- Why SECURITY DEFINER and not the owner role: the owner is subject to FORCE ROW LEVEL
-- SECURITY like everyone else, so it could only read pipeline_data organization by
-- organization, as a member of each; the rollup is one set-based pass over every tenant's new
-- rows. tessera_definer (BYPASSRLS) gets exactly the columns it needs, and this function only
-- ever writes derived counts.
--
-- Each call:
-- 1. locks the watermark row (concurrent refreshes queue instead of racing);
-- 2. takes the window [watermark, now()), at most p_max_window long so a first run over old
--    data proceeds in bounded steps (one per call);
-- 3. finds the (pipeline, hour) buckets that rows ingested in the window fall in, and
--    recomputes each of those buckets from scratch over its rows ingested before the window's
--    end (recomputing, not adding, makes a rerun over the same rows harmless);
-- 4. moves the watermark to the window's end minus p_margin, never backwards.
-- Late commits: ingested_at is now() of the inserting transaction, i.e. when it STARTED, and
-- its rows become visible only when it commits. A batch whose transaction started before one
-- refresh and committed after it has ingested_at below that refresh's window end. Because the
-- watermark stays p_margin behind the window's end, the next window starts p_margin earlier
-- and still covers those rows: any transaction shorter than p_margin is picked up. The cost
-- is re-reading p_margin of recent rows on each call.
-- Partition pruning: every predicate on ingested_at compares with plpgsql variables (bound
-- parameters), never with now() inside the query, so only the partitions of the window are
-- scanned.
grant select (pipeline_id, organization_id, ingested_at, data) on ingest.pipeline_data to tessera_definer;
grant select, insert, update on ingest.pipeline_data_hourly to tessera_definer;
grant select on ops.partitions to tessera_definer;
create function private.refresh_pipeline_data_hourly(p_margin interval, p_max_window interval)
  returns table (buckets integer, window_start timestamptz, window_end timestamptz, watermark timestamptz)
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_watermark timestamptz;
  v_lo timestamptz;
  v_hi timestamptz := now();
  v_first_hour timestamptz;
  v_buckets integer := 0;
  v_attempt integer := 0;
begin
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
     set watermark = greatest(w.watermark, v_hi - p_margin), refreshed_at = v_hi, updated_at = now()
   where w.name = 'ingest.pipeline_data_hourly'
  returning w.watermark into v_watermark;
  return query select v_buckets, v_lo, v_hi, v_watermark;
end
$$;

select ops.secure_private_functions();
