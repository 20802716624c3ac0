import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * The database-health reads. The seeds' monitoring queries are functions of db/migrations/0290
 * (private.database_*: SECURITY DEFINER, owned by tessera_definer, which the bootstrap makes a
 * member of pg_monitor); what is Tessera's own (partition coverage from ops.partitions, the
 * server's identity) is plain SQL here. Numeric and bigint columns arrive as strings.
 */

export type HealthStatus = 'OK' | 'WARNING' | 'CRITICAL'

export interface HealthCheckRow {
  metric: string
  value: string
  status: HealthStatus
  warning_threshold: string
  critical_threshold: string
}

/** Seed 004's health check: one row per metric with its thresholds and status. */
export async function readHealthCheck(db: Db): Promise<HealthCheckRow[]> {
  const { rows } = await sql<HealthCheckRow>`select * from private.database_health_check()`.execute(db)
  return rows
}

export interface ServerRow {
  database_name: string
  server_version: string
  in_recovery: boolean
  max_connections: string
  stats_reset: Date | null
  replay_delay_seconds: number | null
}

export async function readServer(db: Db): Promise<ServerRow> {
  const { rows } = await sql<ServerRow>`
    select current_database() as database_name, current_setting('server_version') as server_version,
           pg_is_in_recovery() as in_recovery, current_setting('max_connections') as max_connections,
           (select d.stats_reset from pg_stat_database d where d.datname = current_database()) as stats_reset,
           case when pg_is_in_recovery() then extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end as replay_delay_seconds`.execute(db)
  return rows[0] as ServerRow
}

export async function readMonitorPrivileges(db: Db): Promise<{ read_all_stats: boolean; read_all_settings: boolean }> {
  const { rows } = await sql<{ read_all_stats: boolean; read_all_settings: boolean }>`select * from private.database_monitor_privileges()`.execute(db)
  return rows[0] ?? { read_all_stats: false, read_all_settings: false }
}

/** Seed 004's performance figures: database_size_bytes, active/idle connections, slow_queries_5s. */
export async function readPerformanceMetrics(db: Db): Promise<Map<string, number>> {
  const { rows } = await sql<{ metric: string; value: string }>`select * from private.database_performance_metrics()`.execute(db)
  return new Map(rows.map((row) => [row.metric, Number(row.value)]))
}

export async function readConnections(db: Db): Promise<Array<{ state: string; connections: string; in_database: string }>> {
  const { rows } = await sql<{ state: string; connections: string; in_database: string }>`select * from private.database_connections()`.execute(db)
  return rows
}

export async function readCacheHit(db: Db): Promise<Array<{ scope: 'tables' | 'indexes' | 'database'; hits: string; reads: string; ratio: string | null }>> {
  const { rows } = await sql<{ scope: 'tables' | 'indexes' | 'database'; hits: string; reads: string; ratio: string | null }>`select * from private.database_cache_hit()`.execute(db)
  return rows
}

export interface TableStatisticsRow {
  schema_name: string
  table_name: string
  partitions: string
  total_bytes: string
  table_bytes: string
  index_bytes: string
  toast_bytes: string
  live_tuples: string
  dead_tuples: string
  inserts: string
  updates: string
  deletes: string
  seq_scans: string
  index_scans: string
  bloat_bytes_estimate: string
  last_vacuum: Date | null
  last_autovacuum: Date | null
  last_analyze: Date | null
  last_autoanalyze: Date | null
}

export async function readTableStatistics(db: Db): Promise<TableStatisticsRow[]> {
  const { rows } = await sql<TableStatisticsRow>`select * from private.database_table_statistics()`.execute(db)
  return rows
}

export interface IndexStatisticsRow {
  schema_name: string
  table_name: string
  index_name: string
  partitions: string
  index_scans: string
  tuples_read: string
  tuples_fetched: string
  index_bytes: string
  is_unique: boolean
  is_primary: boolean
}

export async function readIndexStatistics(db: Db): Promise<IndexStatisticsRow[]> {
  const { rows } = await sql<IndexStatisticsRow>`select * from private.database_index_statistics()`.execute(db)
  return rows
}

export interface LongTransactionRow {
  pid: number
  database_name: string | null
  user_name: string | null
  application_name: string | null
  client_addr: string | null
  backend_type: string | null
  state: string | null
  xact_start: Date
  transaction_seconds: number
  query_start: Date | null
  query_seconds: number | null
  wait_event_type: string | null
  wait_event: string | null
  query: string | null
}

export async function readLongTransactions(db: Db, minSeconds: number): Promise<LongTransactionRow[]> {
  const { rows } = await sql<LongTransactionRow>`select * from private.database_long_transactions(${minSeconds}::float8)`.execute(db)
  return rows
}

export type StatementsStatus = 'available' | 'not_installed' | 'not_loaded'

export async function readStatementsStatus(db: Db): Promise<StatementsStatus> {
  const { rows } = await sql<{ status: StatementsStatus }>`select private.database_statements_status() as status`.execute(db)
  return rows[0]?.status ?? 'not_installed'
}

export interface SlowQueryRow {
  query_id: string | null
  query: string
  calls: string
  total_exec_ms: number
  mean_exec_ms: number
  max_exec_ms: number
  stddev_exec_ms: number
  rows_returned: string
  hit_percent: string | null
}

export async function readSlowQueries(db: Db, limit: number): Promise<SlowQueryRow[]> {
  const { rows } = await sql<SlowQueryRow>`select * from private.database_slow_queries(${limit}::int)`.execute(db)
  return rows
}

export interface ReplicaRow {
  application_name: string | null
  client_addr: string | null
  state: string | null
  sync_state: string | null
  sent_lag_bytes: string | null
  total_lag_bytes: string | null
  write_lag_seconds: number | null
  flush_lag_seconds: number | null
  replay_lag_seconds: number | null
}

export async function readReplicas(db: Db): Promise<ReplicaRow[]> {
  const { rows } = await sql<ReplicaRow>`select * from private.database_replicas()`.execute(db)
  return rows
}

export interface PartitionCoverageRow {
  parent_table: string
  granularity: 'day' | 'month'
  attached: string
  compressed: string
  detached: string
  oldest_start: Date | null
  newest_end: Date | null
  covers_now: boolean
  next_period_covered: boolean
}

/**
 * Per partitioned table of the ops.partitions catalogue (the Storage page lists each
 * partition): how many partitions are in each state, the range they span, and whether the
 * partition taking today's rows and the next period's exist (partitions:maintain creates them
 * ahead; a missing one makes inserts fail).
 */
export async function readPartitionCoverage(db: Db): Promise<PartitionCoverageRow[]> {
  const { rows } = await sql<PartitionCoverageRow>`
    select p.parent_table, max(p.granularity) as granularity,
           count(*) filter (where p.state = 'attached') as attached,
           count(*) filter (where p.state = 'compressed') as compressed,
           count(*) filter (where p.state = 'detached') as detached,
           min(p.range_start) filter (where p.state <> 'dropped') as oldest_start,
           max(p.range_end) filter (where p.state = 'attached') as newest_end,
           coalesce(bool_or(p.state = 'attached' and p.range_start <= now() and p.range_end > now()), false) as covers_now,
           coalesce(max(p.range_end) filter (where p.state = 'attached')
                    >= now() + case max(p.granularity) when 'day' then interval '1 day' else interval '1 month' end, false) as next_period_covered
      from ops.partitions p
     group by p.parent_table
     order by p.parent_table`.execute(db)
  return rows
}

/** Figures for the Prometheus gauges that the health check rounds or leaves out. */
export async function readGaugeFigures(db: Db): Promise<{ longest_transaction_seconds: number; longest_query_seconds: number; dead_tuples: string; live_tuples: string }> {
  const { rows } = await sql<{ longest_transaction_seconds: number; longest_query_seconds: number; dead_tuples: string; live_tuples: string }>`
    select t.longest_transaction_seconds, t.longest_query_seconds,
           (select coalesce(sum(s.n_dead_tup), 0) from pg_stat_user_tables s) as dead_tuples,
           (select coalesce(sum(s.n_live_tup), 0) from pg_stat_user_tables s) as live_tuples
      from private.database_activity_totals() t`.execute(db)
  return rows[0] ?? { longest_transaction_seconds: 0, longest_query_seconds: 0, dead_tuples: '0', live_tuples: '0' }
}
