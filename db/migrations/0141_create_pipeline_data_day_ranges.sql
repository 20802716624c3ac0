-- Partition pruning for record-time queries of ingest.pipeline_data (issue 4). Partitions are
-- by ingested_at, but the pipeline series and the record-time listing filter on record_time,
-- so every partition used to be scanned. Once a day's partition is closed, the worker job
-- ingest:day-ranges records, per pipeline, how many rows it holds and their record_time range;
-- a query then leaves out (by bound ingested_at predicates, which the planner prunes on) the
-- summarized partitions whose range cannot overlap its own. Unsummarized partitions (today's,
-- or one not yet visited) are always scanned. Compressed days need none of this: each segment
-- carries its own min/max record_time (0140).

-- One row per pipeline and summarized day with rows; no row for a summarized day means the
-- pipeline has no rows in it.
create table ingest.pipeline_data_days (
  organization_id uuid not null,
  pipeline_id uuid not null,
  day date not null,
  row_count bigint not null check (row_count > 0),
  min_record_time timestamptz not null,
  max_record_time timestamptz not null,
  summarized_at timestamptz not null default now(),
  primary key (organization_id, pipeline_id, day),
  check (min_record_time <= max_record_time)
);
call ops.apply_tenant_policies('ingest.pipeline_data_days');

-- Which partitions are summarized, and as which table (relid): a partition dropped and
-- created again under the same name is a new table without a summary. No tenant data.
create table ops.pipeline_data_summaries (
  partition_table text primary key,
  relid oid not null,
  summarized_at timestamptz not null default now()
);
grant select on ops.pipeline_data_summaries to tessera_runtime;
grant select, delete on ops.pipeline_data_summaries to tessera_definer;

-- A summary stays true only while nobody writes into the partition. The app never does (a
-- write's ingested_at is its transaction's start, always today), but a transaction spanning
-- midnight, an operator or an UPDATE could: every summarized partition gets this row trigger,
-- which forgets the summary, so the partition is scanned again until the next summary. Only
-- closed partitions carry it: the partition taking today's inserts pays nothing.
create function private.forget_pipeline_data_summary()
  returns trigger
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  delete from ops.pipeline_data_summaries s where s.partition_table = tg_table_schema || '.' || tg_table_name;
  return null;
end
$$;

-- The summary of one day, across organizations (SECURITY DEFINER: the owner is subject to
-- FORCE RLS). Reads through the parent with bound ingested_at limits, so only the day's
-- partition is scanned (tessera_definer has column privileges on the parent since 0091).
grant select (record_time) on ingest.pipeline_data to tessera_definer;
grant select, insert, update, delete on ingest.pipeline_data_days to tessera_definer;
create function private.operator_summarize_pipeline_data_day(p_day date)
  returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_lo timestamptz := p_day::timestamp at time zone 'UTC';
  v_hi timestamptz := (p_day + 1)::timestamp at time zone 'UTC';
  v_pipelines integer;
begin
  delete from ingest.pipeline_data_days d where d.day = p_day;
  insert into ingest.pipeline_data_days (organization_id, pipeline_id, day, row_count, min_record_time, max_record_time)
  select d.organization_id, d.pipeline_id, p_day, count(*), min(d.record_time), max(d.record_time)
    from ingest.pipeline_data d
   where d.ingested_at >= v_lo and d.ingested_at < v_hi
   group by d.organization_id, d.pipeline_id;
  get diagnostics v_pipelines = row_count;
  return v_pipelines;
end
$$;

-- Ranges of days whose partition is gone (compressed, dropped): nothing reads them any more.
create function private.operator_forget_pipeline_data_day(p_day date)
  returns void
  language sql volatile security definer set search_path = ''
  as $$
    delete from ingest.pipeline_data_days d where d.day = p_day
$$;

-- The owner's side: blocks writes to the partition while it is read (SHARE ROW EXCLUSIVE waits
-- for writers in flight, which then count), adds the trigger, summarizes, and records the
-- summary. Any later write fires the trigger and undoes the record. Returns the pipelines.
create function ops.summarize_pipeline_data_partition(p_partition text)
  returns integer
  language plpgsql
  set search_path = ''
  as $$
declare
  v_rel regclass := to_regclass(p_partition);
  v_start timestamptz;
  v_pipelines integer;
begin
  if v_rel is null then
    return null;
  end if;
  execute format('lock table %s in share row exclusive mode', v_rel);
  -- Read after the lock: ingest:compress may have marked it compressed meanwhile.
  select p.range_start into v_start from ops.partitions p
   where p.parent_table = 'ingest.pipeline_data' and p.partition_table = p_partition and p.state = 'attached';
  if v_start is null then
    return null;
  end if;
  if not exists (select 1 from pg_trigger t where t.tgrelid = v_rel and t.tgname = 'forget_summary') then
    execute format('create trigger forget_summary after insert or update on %s for each row execute function private.forget_pipeline_data_summary()', v_rel);
  end if;
  v_pipelines := private.operator_summarize_pipeline_data_day((v_start at time zone 'UTC')::date);
  insert into ops.pipeline_data_summaries (partition_table, relid, summarized_at) values (p_partition, v_rel, now())
  on conflict (partition_table) do update set relid = excluded.relid, summarized_at = excluded.summarized_at;
  return v_pipelines;
end
$$;
revoke all on function ops.summarize_pipeline_data_partition(text) from public;

select ops.secure_private_functions();
