-- Database health (issue 6): the monitoring and health-check queries of seeds 000, 002, 003
-- and 004 as functions, adapted to PostgreSQL 15-17 (pg_stat_statements 1.8+ names
-- total_exec_time / mean_exec_time where seeds 000 and 002 still say total_time / mean_time;
-- partitions rolled up into their root table or index, where the seeds list plain tables).
--
-- Why SECURITY DEFINER functions in private: the runtime role is not a superuser and must not
-- become anything but itself and tessera_runtime (test/security/catalog-gate), so it cannot be
-- given pg_monitor. Without pg_read_all_stats PostgreSQL hides the state, query and
-- transaction start of other roles' sessions, the lag columns of pg_stat_replication and the
-- text of other roles' statements in pg_stat_statements. The bootstrap (superuser) step grants
-- pg_monitor to tessera_definer, the NOLOGIN role that owns these functions
-- (src/platform/database-roles.ts); a DBA-managed install runs that grant by hand
-- (docs/database-health.md). Without it the functions still answer, with what PostgreSQL
-- shows an unprivileged role (private.database_monitor_privileges() says which).
--
-- Two kinds of function:
--  - numbers only (health check, connections by state, cache hit ratio, the seed 004
--    performance figures, pg_stat_statements status): anyone with the runtime role, since
--    /metrics publishes the same figures as Prometheus gauges;
--  - rows that name tables, sessions or statements (table and index statistics, long
--    transactions, slow queries, replicas): instance administrators through the app, or the
--    owner role (a DBA in psql); nothing for anyone else.

create function private.may_read_database_health() returns boolean
  language sql stable security definer set search_path = ''
  as $$
    select (select private.is_instance_admin()) or pg_has_role(session_user, 'tessera_owner', 'member')
$$;

-- Whether these functions see every session and statement (pg_read_all_stats, part of
-- pg_monitor), and whether they may read superuser-only settings (pg_read_all_settings).
create function private.database_monitor_privileges()
  returns table (read_all_stats boolean, read_all_settings boolean)
  language sql stable security definer set search_path = ''
  as $$
    select pg_has_role(current_user, 'pg_read_all_stats', 'usage'), pg_has_role(current_user, 'pg_read_all_settings', 'usage')
$$;

-- Seed 004, "Health Check Queries", with its thresholds, plus the share of max_connections in
-- use (the seed's 80 / 100 active connections assume its max_connections = 100). A value at or
-- above the critical threshold is CRITICAL, at or above the warning one WARNING. Critical
-- first, then warnings, then by name, as the seed orders them.
create function private.database_health_check()
  returns table (metric text, value numeric, status text, warning_threshold numeric, critical_threshold numeric)
  language sql stable security definer set search_path = ''
  as $$
    with health_metrics as (
      select 'database_size_gb' as metric,
             round(pg_database_size(current_database()) / 1024.0 / 1024.0 / 1024.0, 2) as value,
             50.0 as warning_threshold,
             100.0 as critical_threshold
      union all
      select 'active_connections', count(*)::numeric, 80.0, 100.0
        from pg_catalog.pg_stat_activity where state = 'active'
      union all
      select 'connection_usage_percent',
             round(100.0 * count(*) / current_setting('max_connections')::numeric, 1), 80.0, 95.0
        from pg_catalog.pg_stat_activity a where (a.backend_type = 'client backend' or (a.backend_type is null and a.usesysid is not null))
      union all
      -- The seed's MIN(xact_start) over every session; this function's own transaction is left out.
      select 'oldest_transaction_minutes',
             coalesce(round((extract(epoch from (now() - min(xact_start))) / 60.0)::numeric, 2), 0), 30.0, 60.0
        from pg_catalog.pg_stat_activity where xact_start is not null and pid <> pg_backend_pid()
      union all
      select 'replication_lag_bytes',
             coalesce(max(pg_wal_lsn_diff(sent_lsn, replay_lsn)), 0), 1048576.0, 10485760.0
        from pg_catalog.pg_stat_replication
    )
    select metric, value,
           case when value >= critical_threshold then 'CRITICAL'
                when value >= warning_threshold then 'WARNING'
                else 'OK' end,
           warning_threshold, critical_threshold
      from health_metrics
     order by case when value >= critical_threshold then 1 when value >= warning_threshold then 2 else 3 end, metric
$$;

-- Seed 004, "Performance Monitoring": database size, active and idle connections, and queries
-- active for more than 5 seconds, as numbers (the seed pretty-prints them).
create function private.database_performance_metrics()
  returns table (metric text, value numeric)
  language sql stable security definer set search_path = ''
  as $$
    select 'database_size_bytes', pg_database_size(current_database())::numeric
    union all
    select 'active_connections', count(*)::numeric from pg_catalog.pg_stat_activity where state = 'active'
    union all
    select 'idle_connections', count(*)::numeric from pg_catalog.pg_stat_activity where state = 'idle'
    union all
    select 'slow_queries_5s', count(*)::numeric from pg_catalog.pg_stat_activity
     where state = 'active' and query_start < now() - interval '5 seconds' and pid <> pg_backend_pid()
$$;

-- The longest open transaction and the longest running statement in seconds (the health
-- check rounds the first to hundredths of a minute), for the Prometheus gauges.
create function private.database_activity_totals()
  returns table (longest_transaction_seconds double precision, longest_query_seconds double precision)
  language sql stable security definer set search_path = ''
  as $$
    select coalesce(extract(epoch from now() - min(a.xact_start)), 0)::double precision,
           coalesce(extract(epoch from now() - min(a.query_start) filter (where a.state = 'active')), 0)::double precision
      from pg_catalog.pg_stat_activity a
     where a.pid <> pg_backend_pid() and a.xact_start is not null
$$;

-- Seed 000, "Connection monitoring" (connections grouped by state): client connections of the
-- whole server and of this database. "unknown" is a session whose state this role may not see:
-- without pg_read_all_stats another role's session shows no backend_type nor state, but it still
-- has a user, which background processes lack.
create function private.database_connections()
  returns table (state text, connections bigint, in_database bigint)
  language sql stable security definer set search_path = ''
  as $$
    select coalesce(a.state, 'unknown'), count(*), count(*) filter (where a.datname = current_database())
      from pg_catalog.pg_stat_activity a
     where (a.backend_type = 'client backend' or (a.backend_type is null and a.usesysid is not null))
     group by 1
     order by 2 desc, 1
$$;

-- Seed 003, "Cache hit ratio" (heap blocks of user tables), with the same figure for their
-- indexes and for the whole database (pg_stat_database). The ratio is null before any read.
create function private.database_cache_hit()
  returns table (scope text, hits bigint, reads bigint, ratio numeric)
  language sql stable security definer set search_path = ''
  as $$
    select 'tables', coalesce(sum(heap_blks_hit), 0)::bigint, coalesce(sum(heap_blks_read), 0)::bigint,
           sum(heap_blks_hit) / nullif(sum(heap_blks_hit) + sum(heap_blks_read), 0)
      from pg_catalog.pg_statio_user_tables
    union all
    select 'indexes', coalesce(sum(idx_blks_hit), 0)::bigint, coalesce(sum(idx_blks_read), 0)::bigint,
           sum(idx_blks_hit) / nullif(sum(idx_blks_hit) + sum(idx_blks_read), 0)
      from pg_catalog.pg_statio_user_indexes
    union all
    select 'database', blks_hit, blks_read, blks_hit::numeric / nullif(blks_hit + blks_read, 0)
      from pg_catalog.pg_stat_database where datname = current_database()
$$;

-- Seeds 002, 003 and 004, table sizes and statistics: total, heap, index and TOAST bytes, row
-- activity, dead tuples and the last (auto)vacuum and (auto)analyze. A partitioned table is one
-- row: its partitions are summed (partitions = how many). The bloat estimate is the heap share
-- held by dead tuples (VACUUM makes it reusable): reading per-column widths for a finer
-- estimate needs pg_stats, which hides tables under Row-Level Security from every role but a
-- superuser.
create function private.database_table_statistics()
  returns table (
    schema_name text, table_name text, partitions bigint,
    total_bytes bigint, table_bytes bigint, index_bytes bigint, toast_bytes bigint,
    live_tuples bigint, dead_tuples bigint, inserts bigint, updates bigint, deletes bigint,
    seq_scans bigint, index_scans bigint, bloat_bytes_estimate bigint,
    last_vacuum timestamptz, last_autovacuum timestamptz, last_analyze timestamptz, last_autoanalyze timestamptz)
  language sql stable security definer set search_path = ''
  as $$
    with leaf as (
      select coalesce(pg_partition_root(s.relid), s.relid) as root, s.*,
             pg_total_relation_size(s.relid) as total, pg_relation_size(s.relid) as heap, pg_indexes_size(s.relid) as idx,
             c.relkind
        from pg_catalog.pg_stat_user_tables s join pg_catalog.pg_class c on c.oid = s.relid
    )
    select n.nspname::text, r.relname::text,
           count(*) filter (where leaf.relid <> leaf.root and leaf.relkind <> 'p'),
           sum(leaf.total)::bigint, sum(leaf.heap)::bigint, sum(leaf.idx)::bigint, sum(leaf.total - leaf.heap - leaf.idx)::bigint,
           sum(leaf.n_live_tup)::bigint, sum(leaf.n_dead_tup)::bigint,
           sum(leaf.n_tup_ins)::bigint, sum(leaf.n_tup_upd)::bigint, sum(leaf.n_tup_del)::bigint,
           sum(leaf.seq_scan)::bigint, sum(coalesce(leaf.idx_scan, 0))::bigint,
           sum(case when leaf.n_live_tup + leaf.n_dead_tup > 0
                    then leaf.heap * leaf.n_dead_tup / (leaf.n_live_tup + leaf.n_dead_tup) else 0 end)::bigint,
           max(leaf.last_vacuum), max(leaf.last_autovacuum), max(leaf.last_analyze), max(leaf.last_autoanalyze)
      from leaf
      join pg_catalog.pg_class r on r.oid = leaf.root
      join pg_catalog.pg_namespace n on n.oid = r.relnamespace
     where (select private.may_read_database_health())
     group by n.nspname, r.relname
     order by 4 desc, 1, 2
$$;

-- Seeds 000, 003 and 004, index usage: scans, tuples read and fetched, size. The index of a
-- partitioned table is one row (its partitions' indexes summed). Unique and primary-key
-- indexes enforce constraints, so they are never "unused" however rarely they are scanned.
create function private.database_index_statistics()
  returns table (
    schema_name text, table_name text, index_name text, partitions bigint,
    index_scans bigint, tuples_read bigint, tuples_fetched bigint, index_bytes bigint,
    is_unique boolean, is_primary boolean)
  language sql stable security definer set search_path = ''
  as $$
    with leaf as (
      select coalesce(pg_partition_root(s.indexrelid), s.indexrelid) as root_index,
             coalesce(pg_partition_root(s.relid), s.relid) as root_table, s.*,
             pg_relation_size(s.indexrelid) as bytes, i.indisunique, i.indisprimary
        from pg_catalog.pg_stat_user_indexes s join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
    )
    select n.nspname::text, t.relname::text, ix.relname::text,
           count(*) filter (where leaf.indexrelid <> leaf.root_index),
           sum(leaf.idx_scan)::bigint, sum(leaf.idx_tup_read)::bigint, sum(leaf.idx_tup_fetch)::bigint, sum(leaf.bytes)::bigint,
           bool_and(leaf.indisunique), bool_and(leaf.indisprimary)
      from leaf
      join pg_catalog.pg_class ix on ix.oid = leaf.root_index
      join pg_catalog.pg_class t on t.oid = leaf.root_table
      join pg_catalog.pg_namespace n on n.oid = t.relnamespace
     where (select private.may_read_database_health())
     group by n.nspname, t.relname, ix.relname
     order by 5, 8 desc, 1, 2, 3
$$;

-- Seed 004's "Slow Queries" and oldest transaction, as a list: every session whose transaction
-- has been open for at least p_min_seconds, oldest first. The statement text is shown for
-- sessions of this database only (other databases of the server are not Tessera's to show).
create function private.database_long_transactions(p_min_seconds double precision)
  returns table (
    pid integer, database_name text, user_name text, application_name text, client_addr text,
    backend_type text, state text, xact_start timestamptz, transaction_seconds double precision,
    query_start timestamptz, query_seconds double precision, wait_event_type text, wait_event text, query text)
  language sql stable security definer set search_path = ''
  as $$
    select a.pid, a.datname::text, a.usename::text, a.application_name, host(a.client_addr),
           a.backend_type, a.state, a.xact_start, extract(epoch from now() - a.xact_start)::double precision,
           a.query_start, extract(epoch from now() - a.query_start)::double precision,
           a.wait_event_type, a.wait_event,
           case when a.datname = current_database() then left(a.query, 1000) end
      from pg_catalog.pg_stat_activity a
     where a.xact_start is not null
       and a.xact_start <= now() - make_interval(secs => p_min_seconds)
       and a.pid <> pg_backend_pid()
       and (select private.may_read_database_health())
     order by a.xact_start
$$;

-- Where pg_stat_statements stands: 'available'; 'not_installed' (the library is loaded but
-- CREATE EXTENSION was not run in this database); 'not_loaded' (not in
-- shared_preload_libraries, whether or not the extension was created). The slow-query list
-- reads it only when available.
create function private.database_statements_status() returns text
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  v_schema text;
  v_preloaded boolean;
begin
  select n.nspname into v_schema
    from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
   where e.extname = 'pg_stat_statements';
  begin
    v_preloaded := current_setting('shared_preload_libraries') ~ '(^|[\s,])"?pg_stat_statements"?($|[\s,])';
  exception when insufficient_privilege then
    v_preloaded := null; -- without pg_read_all_settings: try the view instead
  end;
  if v_schema is null then
    return case when v_preloaded then 'not_installed' else 'not_loaded' end;
  end if;
  begin
    execute format('select 1 from %I.pg_stat_statements limit 1', v_schema);
  exception when object_not_in_prerequisite_state then
    return 'not_loaded';
  end;
  return 'available';
end
$$;

-- Seeds 000, 002 and 003, "slow queries": the statements of this database with the highest
-- mean execution time, with the seed 002 buffer hit percentage. Dynamic SQL, since the
-- extension may be missing when this function is created; call it when
-- private.database_statements_status() is 'available'.
create function private.database_slow_queries(p_limit integer)
  returns table (
    query_id text, query text, calls bigint, total_exec_ms double precision, mean_exec_ms double precision,
    max_exec_ms double precision, stddev_exec_ms double precision, rows_returned bigint, hit_percent numeric)
  language plpgsql stable security definer set search_path = ''
  as $$
declare
  v_schema text;
begin
  if not (select private.may_read_database_health()) then
    return;
  end if;
  select n.nspname into v_schema
    from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
   where e.extname = 'pg_stat_statements';
  if v_schema is null then
    return;
  end if;
  return query execute format($q$
    select s.queryid::text, left(s.query, 2000), s.calls, s.total_exec_time, s.mean_exec_time,
           s.max_exec_time, s.stddev_exec_time, s.rows,
           round(100.0 * s.shared_blks_hit / nullif(s.shared_blks_hit + s.shared_blks_read, 0), 2)
      from %I.pg_stat_statements s
     where s.dbid = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
       and s.query not like '%%pg_stat_statements%%'
     order by s.mean_exec_time desc
     limit $1$q$, v_schema) using greatest(1, least(p_limit, 200));
end
$$;

-- Seed 004's replication_lag_bytes per replica (sent minus replayed WAL), with the lag
-- PostgreSQL measures in time and the WAL not yet replayed at all (current minus replayed).
create function private.database_replicas()
  returns table (
    application_name text, client_addr text, state text, sync_state text,
    sent_lag_bytes numeric, total_lag_bytes numeric, write_lag_seconds double precision,
    flush_lag_seconds double precision, replay_lag_seconds double precision)
  language sql stable security definer set search_path = ''
  as $$
    select r.application_name, host(r.client_addr), r.state, r.sync_state,
           pg_wal_lsn_diff(r.sent_lsn, r.replay_lsn),
           case when pg_is_in_recovery() then null else pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn) end,
           extract(epoch from r.write_lag)::double precision, extract(epoch from r.flush_lag)::double precision,
           extract(epoch from r.replay_lag)::double precision
      from pg_catalog.pg_stat_replication r
     where (select private.may_read_database_health())
     order by r.application_name
$$;

-- How often /metrics may query these statistics (the gauges are cached in between).
alter table app.system_settings no force row level security;
insert into app.system_settings
  (setting_key, setting_category, setting_name, setting_description, setting_value, setting_type, default_value, min_value, max_value, is_public, is_readonly, requires_restart, config_type) values
  ('monitoring.database_metrics_interval_seconds', 'monitoring', 'Database gauges refresh (seconds)', 'The tessera_db_* gauges of /metrics are read from PostgreSQL at most this often; scrapes in between answer the cached figures', '30', 'integer', '30', 1, 3600, false, false, false, 'performance');
alter table app.system_settings force row level security;

select ops.secure_private_functions();
