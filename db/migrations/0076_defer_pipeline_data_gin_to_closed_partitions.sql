-- Fix forward of 0050/0052: the GIN index on pipeline_data.data is built per partition once
-- the partition's day is over, instead of being maintained row by row on the partition that
-- takes today's inserts. pipeline_data is partitioned by ingested_at, which is always the
-- insert's now(), so a partition whose range has ended receives no more rows: its index is
-- built once, in bulk, like TimescaleDB compresses closed chunks. GIN maintenance was the
-- largest cost of an insert: on the 2-core reference machine a raw COPY of 200-byte records
-- reached 59,000 rows/s with the index and 149,000 without it (see 0052).
-- The cost: a containment filter (data @> ...) on today's rows scans them (after the
-- pipeline/time btree has narrowed them to one pipeline) instead of using the index. Every
-- older partition keeps the seed's GIN index, named <partition>_data_gin.
drop index ingest.idx_pipeline_data_gin;

-- Indexes the worker adds to a partition once its range has ended. The definition is appended
-- to "create index <partition>_<suffix> on <partition>"; only the owner role writes this table.
create table ops.deferred_indexes (
  parent_table text not null,
  index_suffix text not null check (index_suffix ~ '^[a-z0-9_]{1,20}$'),
  definition text not null,
  primary key (parent_table, index_suffix)
);
grant select on ops.deferred_indexes to tessera_runtime;
insert into ops.deferred_indexes (parent_table, index_suffix, definition)
values ('ingest.pipeline_data', 'data_gin', 'using gin (data jsonb_path_ops)');

-- Builds the deferred indexes of every attached partition whose range ended at or before
-- p_before (default now()) and returns how many it built. Runs as the owner role (DDL), from
-- the worker's partitions:maintain job. A plain CREATE INDEX blocks writes to the partition
-- while it builds, and a closed partition has none.
create function ops.build_deferred_indexes(p_before timestamptz default now())
  returns integer
  language plpgsql
  set search_path = ''
  as $$
declare
  p record;
  v_index text;
  v_built integer := 0;
begin
  for p in
    select part.partition_table, d.index_suffix, d.definition
      from ops.partitions part
      join ops.deferred_indexes d on d.parent_table = part.parent_table
     where part.state = 'attached' and part.range_end <= p_before
     order by part.range_start
  loop
    v_index := split_part(p.partition_table, '.', 2) || '_' || p.index_suffix;
    if to_regclass(format('%I.%I', split_part(p.partition_table, '.', 1), v_index)) is null then
      execute format('create index %I on %I.%I %s', v_index,
                     split_part(p.partition_table, '.', 1), split_part(p.partition_table, '.', 2), p.definition);
      v_built := v_built + 1;
    end if;
  end loop;
  return v_built;
end
$$;
revoke all on function ops.build_deferred_indexes(timestamptz) from public;

select ops.build_deferred_indexes();
