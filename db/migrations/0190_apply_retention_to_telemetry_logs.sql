-- Retention for the telemetry log tables that exist since 0180 and 0182: seed 002's policy rows get
-- their relation, and the series query log gets a policy of its own. mcp_request_logs keeps no
-- relation until its table (telemetry.request_logs) lands.
--
-- error_logs deletes only resolved errors (seed 002's "resolved = true"), so a month can't be
-- dropped whole: a policy with a delete_condition deletes matching rows in batches, partitioned
-- or not, and afterwards drops the expired partitions it emptied. Rows are addressed by
-- (tableoid, ctid): a ctid alone repeats across partitions.

update ops.data_retention_policies set relation = 'telemetry.tool_usage_logs' where table_name = 'tool_usage_logs';
update ops.data_retention_policies set relation = 'telemetry.performance_metrics' where table_name = 'performance_metrics';
update ops.data_retention_policies set relation = 'telemetry.error_logs' where table_name = 'error_logs';
insert into ops.data_retention_policies (table_name, retention_days, archive_before_delete, relation, time_column, delete_condition) values
  ('query_performance_logs', 90, false, 'telemetry.query_performance_logs', 'executed_at', null);
-- The conditional delete runs as tessera_definer (private.operator_delete_expired_rows).
grant select, delete on telemetry.error_logs to tessera_definer;

create or replace function private.operator_delete_expired_rows(p_table_name text, p_cutoff timestamptz)
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
    execute format('delete from %s where (tableoid, ctid) in (select tableoid, ctid from %s where %I < $1 and (%s) limit $2)',
                   v_rel, v_rel, v_policy.time_column, coalesce(v_policy.delete_condition, 'true'))
      using p_cutoff, v_policy.cleanup_batch_size;
    get diagnostics v_batch = row_count;
    v_total := v_total + v_batch;
    exit when v_batch < v_policy.cleanup_batch_size;
  end loop;
  return v_total;
end
$$;

-- Expired partitions of p_parent that hold no row any more (after a conditional delete).
create function ops.drop_empty_expired_partitions(p_parent text, p_cutoff timestamptz)
  returns integer
  language plpgsql
  set search_path = ''
  as $$
declare
  p record;
  v_any boolean;
  v_dropped integer := 0;
begin
  for p in
    select c.partition_table from ops.partitions c
     where c.parent_table = p_parent and c.state = 'attached' and c.range_end <= p_cutoff
     order by c.range_start
  loop
    continue when to_regclass(p.partition_table) is null;
    execute format('alter table %s no force row level security', p.partition_table);
    execute format('select exists (select 1 from %s)', p.partition_table) into v_any;
    if v_any then
      execute format('alter table %s force row level security', p.partition_table);
    else
      execute format('alter table %s detach partition %s', p_parent, p.partition_table);
      execute format('drop table %s', p.partition_table);
      update ops.partitions set state = 'dropped', changed_at = now() where partition_table = p.partition_table;
      v_dropped := v_dropped + 1;
    end if;
  end loop;
  return v_dropped;
end
$$;
revoke all on function ops.drop_empty_expired_partitions(text, timestamptz) from public;

create or replace function ops.cleanup_old_data()
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
    if (select c.relkind from pg_class c where c.oid = v_rel) = 'p' and policy.delete_condition is null then
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
      if (select c.relkind from pg_class c where c.oid = v_rel) = 'p' then
        perform ops.drop_empty_expired_partitions(v_rel::text, v_cutoff);
      end if;
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

select ops.secure_private_functions();
