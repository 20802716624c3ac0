-- Retention (seed 002's data_retention_policies and cleanup_old_data; seed 000's 2 years raw /
-- 5 years rollups) and the DBA's partition functions of seeds 002 and 003, over the same
-- ops.partitions catalogue the worker uses. All of them run as the owner role (DDL).

-- seed 002 data_retention_policies, every column. table_name keeps the seed's names; relation
-- is the Tessera table it governs (null: that table does not exist yet, e.g. the telemetry
-- logs of a later issue; cleanup skips it). time_column and delete_condition say which rows
-- expire. updated_by is a uuid: Tessera's users have uuid ids.
create table ops.data_retention_policies (
  table_name varchar(100) primary key,
  retention_days integer not null check (retention_days > 0),
  archive_before_delete boolean default true,
  cleanup_enabled boolean default true,
  last_cleanup timestamptz,
  last_cleanup_count bigint default 0,
  last_cleanup_duration_ms integer,
  cleanup_batch_size integer default 1000 check (cleanup_batch_size between 1 and 1000000),
  cleanup_interval_hours integer default 24 check (cleanup_interval_hours > 0),
  created_at timestamptz default current_timestamp,
  updated_at timestamptz default current_timestamp,
  updated_by uuid references auth.users (id) on delete set null,
  relation text check (relation ~ '^[a-z_]+\.[a-z_]+$'),
  time_column text not null default 'created_at' check (time_column ~ '^[a-z_]+$'),
  delete_condition text
);
grant select on ops.data_retention_policies to tessera_runtime, tessera_definer;

insert into ops.data_retention_policies (table_name, retention_days, archive_before_delete, relation, time_column, delete_condition) values
  ('tool_usage_logs', 90, true, null, 'timestamp', null),
  ('mcp_request_logs', 60, true, null, 'timestamp', null),
  ('error_logs', 365, true, null, 'timestamp', 'resolved = true'),
  ('performance_metrics', 30, false, null, 'timestamp', null),
  -- Seed 002 deletes sessions past expires_at; here they go retention_days after it, so a
  -- week of expired sign-ins stays visible (auth:cleanup already deactivates them).
  ('sessions', 7, false, 'auth.sessions', 'expires_at', null),
  ('time_series_data', 730, true, 'ts.time_series_data', 'timestamp', null),
  ('aggregated_metrics', 1825, false, 'ts.aggregated_metrics', 'time_bucket', null),
  -- Per-pipeline retention_days (pipeline-data:retention) is the finer rule; this bounds all.
  ('pipeline_data', 3650, true, 'ingest.pipeline_data', 'ingested_at', null);

-- Rows of a plain table older than the policy's cutoff, deleted cleanup_batch_size at a time.
-- SECURITY DEFINER: the owner is subject to FORCE RLS. The table, column and condition come
-- from ops.data_retention_policies, which only the owner writes. tessera_definer needs DELETE
-- on each governed table (auth.sessions has it; later tables grant it in their migration).
create function private.operator_delete_expired_rows(p_table_name text, p_cutoff timestamptz)
  returns bigint
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_policy ops.data_retention_policies;
  v_rel regclass;
  v_batch bigint;
  v_total bigint := 0;
begin
  select * into v_policy from ops.data_retention_policies p where p.table_name = p_table_name;
  v_rel := to_regclass(coalesce(v_policy.relation, v_policy.table_name));
  if v_rel is null then
    return 0;
  end if;
  loop
    execute format('delete from %s where ctid = any(array(select ctid from %s where %I < $1 and (%s) limit $2))',
                   v_rel, v_rel, v_policy.time_column, coalesce(v_policy.delete_condition, 'true'))
      using p_cutoff, v_policy.cleanup_batch_size;
    get diagnostics v_batch = row_count;
    v_total := v_total + v_batch;
    exit when v_batch < v_policy.cleanup_batch_size;
  end loop;
  return v_total;
end
$$;

-- Compressed points (and late points) of days before p_before: deleted, and returned as JSON
-- lines for the archive when the caller wants them. The caller archives and commits, or rolls
-- back: the rows are gone only once the archive is written.
create function private.operator_take_expired_time_series(p_before date, p_limit integer)
  returns table (kind text, row_data jsonb)
  language sql volatile security definer set search_path = ''
  as $$
    with seg as (
      delete from ts.time_series_segments s
       where (s.organization_id, s.metric_id, s.day, s.dimensions) in (
         select x.organization_id, x.metric_id, x.day, x.dimensions from ts.time_series_segments x where x.day < p_before limit p_limit)
      returning s.*),
    late as (
      delete from ts.time_series_late l
       where l.ctid = any(array(select x.ctid from ts.time_series_late x where x."timestamp" < (p_before::timestamp at time zone 'UTC') limit p_limit))
      returning l.*)
    select 'segment', to_jsonb(seg.*) from seg
    union all
    select 'late', to_jsonb(late.*) from late
$$;

-- Detaches and drops the attached partitions of p_parent whose range ended at or before
-- p_cutoff and returns the rows they held. Inside a function the detach cannot be CONCURRENTLY
-- (PostgreSQL forbids it in a transaction block); the worker's ops:retention uses the
-- concurrent form. The detached table is the owner's alone (no grants, not reachable through
-- the parent), so lifting FORCE RLS on it to count its rows exposes nothing.
create function ops.drop_expired_partitions(p_parent text, p_cutoff timestamptz)
  returns bigint
  language plpgsql
  set search_path = ''
  as $$
declare
  p record;
  v_rows bigint;
  v_total bigint := 0;
begin
  for p in
    select c.partition_table from ops.partitions c
     where c.parent_table = p_parent and c.state = 'attached' and c.range_end <= p_cutoff
     order by c.range_start
  loop
    if to_regclass(p.partition_table) is not null then
      execute format('alter table %s detach partition %s', p_parent, p.partition_table);
      execute format('alter table %s no force row level security', p.partition_table);
      execute format('select count(*) from %s', p.partition_table) into v_rows;
      execute format('drop table %s', p.partition_table);
      v_total := v_total + v_rows;
    end if;
    update ops.partitions set state = 'dropped', changed_at = now() where partition_table = p.partition_table;
  end loop;
  return v_total;
end
$$;
revoke all on function ops.drop_expired_partitions(text, timestamptz) from public;

-- seed 002 cleanup_old_data(), following ops.data_retention_policies: tables that do not exist
-- are skipped (no row returned, no stats). Partitioned tables lose whole partitions (and, for
-- ts.time_series_data, expired compressed days), except where the policy asks for an archive:
-- that needs files, so the worker's ops:retention does it (and adds its counts to the stats).
create function ops.cleanup_old_data()
  returns table (table_name text, deleted_count bigint, execution_time_ms integer)
  language plpgsql
  set search_path = ''
  as $$
declare
  policy record;
  v_rel regclass;
  v_cutoff timestamptz;
  v_deleted bigint;
  v_start timestamptz;
  v_ms integer;
begin
  for policy in select * from ops.data_retention_policies p where p.cleanup_enabled order by p.table_name loop
    v_rel := to_regclass(coalesce(policy.relation, policy.table_name));
    continue when v_rel is null;
    v_start := clock_timestamp();
    v_cutoff := now() - make_interval(days => policy.retention_days);
    v_deleted := 0;
    if (select c.relkind from pg_class c where c.oid = v_rel) = 'p' then
      if not coalesce(policy.archive_before_delete, true) then
        v_deleted := ops.drop_expired_partitions(v_rel::text, v_cutoff);
        if v_rel::text = 'ts.time_series_data' then
          loop
            select v_deleted + count(*), count(*) into v_deleted, v_ms
              from private.operator_take_expired_time_series((v_cutoff at time zone 'UTC')::date, policy.cleanup_batch_size);
            exit when v_ms = 0;
          end loop;
          update ops.partitions set state = 'dropped', changed_at = now()
           where parent_table = 'ts.time_series_data' and state = 'compressed' and range_end <= v_cutoff;
        end if;
      end if;
    else
      v_deleted := private.operator_delete_expired_rows(policy.table_name, v_cutoff);
    end if;
    v_ms := (extract(epoch from clock_timestamp() - v_start) * 1000)::integer;
    update ops.data_retention_policies p
       set last_cleanup = now(), last_cleanup_count = v_deleted, last_cleanup_duration_ms = v_ms
     where p.table_name = policy.table_name;
    table_name := policy.table_name;
    deleted_count := v_deleted;
    execution_time_ms := v_ms;
    return next;
  end loop;
end
$$;
revoke all on function ops.cleanup_old_data() from public;

-- seed 003 create_partition, with Tessera's rules: a partition gets the parent's Row-Level
-- Security (per relation), lands in the parent's schema whatever prefix the name carries
-- (the seed's 'schema.table_YYYY_MM' names), and is recorded in ops.partitions. Ranges are a
-- UTC day or a calendar month, the two granularities of the catalogue.
create function ops.create_partition(parent_table text, partition_name text, start_date date, end_date date)
  returns void
  language plpgsql
  set search_path = ''
  as $$
declare
  v_parent regclass := parent_table::regclass;
  v_schema text := split_part(v_parent::text, '.', 1);
  v_name text := case when strpos(partition_name, '.') > 0 then split_part(partition_name, '.', 2) else partition_name end;
  v_start timestamptz := start_date::timestamp at time zone 'UTC';
  v_end timestamptz := end_date::timestamp at time zone 'UTC';
  v_granularity text := case when end_date = start_date + 1 then 'day'
                             when end_date = (start_date + interval '1 month')::date and extract(day from start_date) = 1 then 'month' end;
begin
  if v_granularity is null then
    raise exception 'a partition covers one UTC day or one calendar month, not % to %', start_date, end_date;
  end if;
  if to_regclass(format('%I.%I', v_schema, v_name)) is null then
    execute format('create table %I.%I partition of %s for values from (%L) to (%L)', v_schema, v_name, v_parent, v_start, v_end);
    execute format('alter table %I.%I enable row level security', v_schema, v_name);
    execute format('alter table %I.%I force row level security', v_schema, v_name);
  end if;
  insert into ops.partitions (parent_table, partition_table, range_start, range_end, granularity)
  values (v_parent::text, v_schema || '.' || v_name, v_start, v_end, v_granularity)
  on conflict (partition_table) do update set state = 'attached', changed_at = now();
  raise notice 'Created partition % for table %', v_schema || '.' || v_name, v_parent;
end
$$;
revoke all on function ops.create_partition(text, text, date, date) from public;

-- seed 002 create_monthly_partitions(table_name, months_ahead): the current month and
-- months_ahead more; returns how many it created. Takes a qualified name ('audit.audit_log').
-- Seed 003 has a function of the same name with (schema_name, table_name, months_ahead) and
-- no result: both exist, as overloads told apart by their argument count, so each seed's
-- call works as written; both create through ops.create_partition, named like
-- ops.ensure_partitions names them (<table>_YYYY_MM), so the worker sees the same partitions.
create function ops.create_monthly_partitions(table_name text, months_ahead integer default 3)
  returns integer
  language plpgsql
  set search_path = ''
  as $$
declare
  v_parent regclass := table_name::regclass;
  v_month date := date_trunc('month', now() at time zone 'UTC')::date;
  v_name text;
  v_created integer := 0;
begin
  for i in 0 .. months_ahead loop
    v_name := split_part(v_parent::text, '.', 2) || '_' || to_char(v_month, 'YYYY_MM');
    if to_regclass(split_part(v_parent::text, '.', 1) || '.' || v_name) is null then
      perform ops.create_partition(v_parent::text, v_name, v_month, (v_month + interval '1 month')::date);
      v_created := v_created + 1;
    end if;
    v_month := (v_month + interval '1 month')::date;
  end loop;
  return v_created;
end
$$;
revoke all on function ops.create_monthly_partitions(text, integer) from public;

-- seed 003 create_monthly_partitions(schema_name, table_name, months_ahead default 6).
create function ops.create_monthly_partitions(schema_name text, table_name text, months_ahead integer default 6)
  returns void
  language plpgsql
  set search_path = ''
  as $$
begin
  perform ops.create_monthly_partitions(format('%I.%I', schema_name, table_name), months_ahead);
end
$$;
revoke all on function ops.create_monthly_partitions(text, text, integer) from public;

-- seed 003 drop_old_partitions: partitions that ended before the first day of the month
-- retention_months ago are detached and dropped (from the catalogue, not by name matching).
-- The DBA's tool: it archives nothing, whatever the retention policy says.
create function ops.drop_old_partitions(schema_name text, table_name text, retention_months integer default 24)
  returns void
  language plpgsql
  set search_path = ''
  as $$
declare
  v_cutoff timestamptz := date_trunc('month', (now() at time zone 'UTC') - make_interval(months => retention_months)) at time zone 'UTC';
begin
  perform ops.drop_expired_partitions(format('%s.%s', schema_name, table_name), v_cutoff);
  raise notice 'Dropped partitions of %.% before %', schema_name, table_name, v_cutoff;
end
$$;
revoke all on function ops.drop_old_partitions(text, text, integer) from public;

-- seed 003 maintain_partitions, for Tessera's partitioned tables: what the worker's
-- partitions:maintain does (keep this list in step with PARTITIONED_TABLES in
-- src/modules/jobs/jobs.tasks.ts), plus dropping partitions past a retention policy that
-- does not ask for an archive.
create function ops.maintain_partitions()
  returns void
  language plpgsql
  set search_path = ''
  as $$
declare
  policy record;
begin
  perform ops.ensure_partitions('audit.audit_log', 'month', 3, 1);
  perform ops.ensure_partitions('ingest.pipeline_data', 'day', 7, 1);
  perform ops.ensure_partitions('ts.time_series_data', 'day', 7, 30);
  perform ops.build_deferred_indexes();
  for policy in
    select p.relation, p.retention_days from ops.data_retention_policies p
     where p.cleanup_enabled and not coalesce(p.archive_before_delete, true)
       and p.relation in (select distinct c.parent_table from ops.partitions c)
  loop
    perform ops.drop_expired_partitions(policy.relation, now() - make_interval(days => policy.retention_days));
  end loop;
  raise notice 'Partition maintenance completed at %', now();
end
$$;
revoke all on function ops.maintain_partitions() from public;

select ops.secure_private_functions();
