import { sql } from 'kysely'
import type { Trx } from '../../platform/db.ts'
import * as repo from './database-health.repository.ts'
import type { DatabaseHealthResponse, HealthCheckSummary } from './database-health.schema.ts'

/** Seed 000: an index scanned fewer than 10 times is "potentially unused". */
export const UNUSED_INDEX_SCANS = 10

/** Each section's statements stop after this long; the section then reports the timeout. */
const SECTION_TIMEOUT = '10s'

const STATUS_RANK = { OK: 0, WARNING: 1, CRITICAL: 2 } as const

const int = (value: string | number | null | undefined) => (value === null || value === undefined ? 0 : Math.round(Number(value)))
const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null)
const latest = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b))

export function worstStatus(statuses: Iterable<repo.HealthStatus>): repo.HealthStatus {
  let worst: repo.HealthStatus = 'OK'
  for (const status of statuses) {
    if (STATUS_RANK[status] > STATUS_RANK[worst]) {
      worst = status
    }
  }
  return worst
}

export const PRIVILEGES_HINT =
  'Tessera sees only its own sessions and statements: run GRANT pg_monitor TO tessera_definer; as a superuser ' +
  '(the bootstrap does it when DATABASE_URL is a superuser URL) to see every session, statement and replica.'

export function statementsHint(status: repo.StatementsStatus, database: string): string | null {
  if (status === 'not_loaded') {
    return (
      "Enable pg_stat_statements to list slow queries: add it to shared_preload_libraries (ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; " +
      `or postgresql.conf), restart PostgreSQL, then run CREATE EXTENSION IF NOT EXISTS pg_stat_statements; as a superuser in database "${database}".`
    )
  }
  if (status === 'not_installed') {
    return `pg_stat_statements is loaded but not created in this database: run CREATE EXTENSION pg_stat_statements; as a superuser in database "${database}".`
  }
  return null
}

/**
 * Runs one section of the page inside a savepoint: a failing statement aborts only the
 * savepoint, so the transaction (and the sections after it) carry on, and the section reports
 * its error instead of its figures.
 */
async function section<T>(trx: Trx, read: () => Promise<T>): Promise<{ data: T | null; error: string | null }> {
  await sql`savepoint database_health_section`.execute(trx)
  try {
    const data = await read()
    await sql`release savepoint database_health_section`.execute(trx)
    return { data, error: null }
  } catch (error) {
    await sql`rollback to savepoint database_health_section`.execute(trx)
    return { data: null, error: (error as Error).message }
  }
}

export async function readHealthCheckSummary(trx: Trx): Promise<HealthCheckSummary> {
  const rows = await repo.readHealthCheck(trx)
  const checks = rows.map((row) => ({
    metric: row.metric,
    value: Number(row.value),
    status: row.status,
    warningThreshold: Number(row.warning_threshold),
    criticalThreshold: Number(row.critical_threshold),
  }))
  return { status: worstStatus(checks.map((check) => check.status)), checks }
}

function partitionStatus(row: repo.PartitionCoverageRow): { status: repo.HealthStatus; problem: string | null } {
  if (int(row.attached) === 0) {
    // Every partition compressed or detached: nothing takes rows, by design (an archive table).
    return { status: 'OK', problem: null }
  }
  if (!row.covers_now) {
    return { status: 'CRITICAL', problem: `No attached partition covers now: inserts into ${row.parent_table} fail until partitions:maintain creates it` }
  }
  if (!row.next_period_covered) {
    return { status: 'WARNING', problem: `No partition exists for the next ${row.granularity}: check that a worker runs partitions:maintain` }
  }
  return { status: 'OK', problem: null }
}

export interface DatabaseHealthOptions {
  longTransactionSeconds: number
  slowQueryLimit: number
}

/** Everything the Database page shows; the caller has checked that the actor is an instance administrator. */
export async function readDatabaseHealth(trx: Trx, options: DatabaseHealthOptions): Promise<DatabaseHealthResponse> {
  await sql`select set_config('statement_timeout', ${SECTION_TIMEOUT}, true)`.execute(trx)
  const server = await section(trx, () => repo.readServer(trx))
  const database = server.data?.database_name ?? 'tessera'

  const overview = await section(trx, async () => {
    const info = server.data ?? (await repo.readServer(trx))
    const figures = await repo.readPerformanceMetrics(trx)
    const privileges = await repo.readMonitorPrivileges(trx)
    return {
      databaseName: info.database_name,
      // "15.20 (Debian 15.20-0+deb12u1)": the version, not the packager's suffix.
      serverVersion: info.server_version.split(' ')[0] ?? info.server_version,
      sizeBytes: int(figures.get('database_size_bytes')),
      activeConnections: int(figures.get('active_connections')),
      idleConnections: int(figures.get('idle_connections')),
      slowQueries5s: int(figures.get('slow_queries_5s')),
      maxConnections: int(info.max_connections),
      statsResetAt: iso(info.stats_reset),
      monitorPrivileges: privileges.read_all_stats,
      privilegesHint: privileges.read_all_stats ? null : PRIVILEGES_HINT,
    }
  })

  const healthCheck = await section(trx, () => readHealthCheckSummary(trx))

  const tables = await section(trx, async () =>
    (await repo.readTableStatistics(trx)).map((row) => {
      const live = int(row.live_tuples)
      const dead = int(row.dead_tuples)
      return {
        schema: row.schema_name,
        table: row.table_name,
        partitions: int(row.partitions),
        totalBytes: int(row.total_bytes),
        tableBytes: int(row.table_bytes),
        indexBytes: int(row.index_bytes),
        toastBytes: int(row.toast_bytes),
        liveTuples: live,
        deadTuples: dead,
        deadRatio: live + dead === 0 ? null : dead / (live + dead),
        bloatBytesEstimate: int(row.bloat_bytes_estimate),
        inserts: int(row.inserts),
        updates: int(row.updates),
        deletes: int(row.deletes),
        seqScans: int(row.seq_scans),
        indexScans: int(row.index_scans),
        lastVacuum: iso(latest(row.last_vacuum, row.last_autovacuum)),
        lastAnalyze: iso(latest(row.last_analyze, row.last_autoanalyze)),
      }
    }))

  const indexes = await section(trx, async () =>
    (await repo.readIndexStatistics(trx)).map((row) => ({
      schema: row.schema_name,
      table: row.table_name,
      index: row.index_name,
      partitions: int(row.partitions),
      scans: int(row.index_scans),
      tuplesRead: int(row.tuples_read),
      tuplesFetched: int(row.tuples_fetched),
      sizeBytes: int(row.index_bytes),
      unique: row.is_unique,
      primary: row.is_primary,
      unused: int(row.index_scans) < UNUSED_INDEX_SCANS && !row.is_unique && !row.is_primary,
    })))

  const cacheHit = await section(trx, async () => {
    const rows = await repo.readCacheHit(trx)
    const figure = (scope: 'tables' | 'indexes' | 'database') => {
      const row = rows.find((r) => r.scope === scope)
      return { hits: int(row?.hits), reads: int(row?.reads), ratio: row?.ratio === null || row?.ratio === undefined ? null : Number(row.ratio) }
    }
    return { tables: figure('tables'), indexes: figure('indexes'), database: figure('database') }
  })

  const connections = await section(trx, async () => {
    const rows = await repo.readConnections(trx)
    const info = server.data ?? (await repo.readServer(trx))
    const byState = rows.map((row) => ({ state: row.state, connections: int(row.connections), inDatabase: int(row.in_database) }))
    return { maxConnections: int(info.max_connections), total: byState.reduce((sum, row) => sum + row.connections, 0), byState }
  })

  const longTransactions = await section(trx, async () => ({
    minSeconds: options.longTransactionSeconds,
    transactions: (await repo.readLongTransactions(trx, options.longTransactionSeconds)).map((row) => ({
      pid: row.pid,
      database: row.database_name,
      user: row.user_name,
      application: row.application_name || null,
      clientAddr: row.client_addr,
      backendType: row.backend_type,
      state: row.state,
      transactionStart: row.xact_start.toISOString(),
      transactionSeconds: row.transaction_seconds,
      querySeconds: row.query_seconds,
      // Client and Activity waits are a session idling (ClientRead: waiting for its next statement), not blocked.
      waitEvent: row.wait_event && row.wait_event_type !== 'Client' && row.wait_event_type !== 'Activity' ? `${row.wait_event_type}: ${row.wait_event}` : null,
      query: row.query,
    })),
  }))

  const slowQueries = await section(trx, async () => {
    const status = await repo.readStatementsStatus(trx)
    const queries = status === 'available' ? await repo.readSlowQueries(trx, options.slowQueryLimit) : []
    return {
      status,
      hint: statementsHint(status, database),
      queries: queries.map((row) => ({
        queryId: row.query_id,
        query: row.query,
        calls: int(row.calls),
        totalMs: row.total_exec_ms,
        meanMs: row.mean_exec_ms,
        maxMs: row.max_exec_ms,
        stddevMs: row.stddev_exec_ms,
        rows: int(row.rows_returned),
        hitPercent: row.hit_percent === null ? null : Number(row.hit_percent),
      })),
    }
  })

  const replication = await section(trx, async () => {
    const info = server.data ?? (await repo.readServer(trx))
    return {
      inRecovery: info.in_recovery,
      replayDelaySeconds: info.replay_delay_seconds,
      replicas: (await repo.readReplicas(trx)).map((row) => ({
        name: row.application_name || null,
        clientAddr: row.client_addr,
        state: row.state,
        syncState: row.sync_state,
        lagBytes: row.sent_lag_bytes === null ? null : int(row.sent_lag_bytes),
        totalLagBytes: row.total_lag_bytes === null ? null : int(row.total_lag_bytes),
        replayLagSeconds: row.replay_lag_seconds,
      })),
    }
  })

  const partitions = await section(trx, async () =>
    (await repo.readPartitionCoverage(trx)).map((row) => ({
      table: row.parent_table,
      granularity: row.granularity,
      attached: int(row.attached),
      compressed: int(row.compressed),
      detached: int(row.detached),
      oldestStart: iso(row.oldest_start),
      newestEnd: iso(row.newest_end),
      ...partitionStatus(row),
    })))

  return { generatedAt: new Date().toISOString(), overview, healthCheck, tables, indexes, cacheHit, connections, longTransactions, slowQueries, replication, partitions }
}
