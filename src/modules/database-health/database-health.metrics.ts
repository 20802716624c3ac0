import { sql } from 'kysely'
import { Counter, Gauge } from 'prom-client'
import { withContext } from '../../platform/db.ts'
import { registry } from '../../platform/metrics.ts'
import type { Services } from '../../platform/services.ts'
import { readCacheHit, readConnections, readGaugeFigures, readPerformanceMetrics } from './database-health.repository.ts'
import { readHealthCheckSummary } from './database-health.service.ts'

/**
 * The tessera_db_* gauges of /metrics. They are read from PostgreSQL at most every
 * `monitoring.database_metrics_interval_seconds` (system setting, 0290) and served from memory
 * in between, so scraping stays cheap however often Prometheus comes. Only figures (no table,
 * session or statement names): the functions behind them answer the runtime role without an
 * administrator, as /metrics does.
 */

const sizeBytes = new Gauge({ name: 'tessera_db_size_bytes', help: 'Size of the Tessera database (pg_database_size)', registers: [registry] })
const cacheHitRatio = new Gauge({ name: 'tessera_db_cache_hit_ratio', help: 'Buffer cache hit ratio (0-1) of user tables, their indexes and the whole database', labelNames: ['scope'] as const, registers: [registry] })
const connections = new Gauge({ name: 'tessera_db_connections', help: 'Client connections to the PostgreSQL server by state', labelNames: ['state'] as const, registers: [registry] })
const longestTransaction = new Gauge({ name: 'tessera_db_longest_transaction_seconds', help: 'Age of the oldest open transaction on the server', registers: [registry] })
const longestQuery = new Gauge({ name: 'tessera_db_longest_query_seconds', help: 'Run time of the longest active statement on the server', registers: [registry] })
const slowQueries = new Gauge({ name: 'tessera_db_slow_queries', help: 'Statements active for more than 5 seconds', registers: [registry] })
const deadTuples = new Gauge({ name: 'tessera_db_dead_tuples', help: 'Dead tuples in user tables, awaiting VACUUM', registers: [registry] })
const liveTuples = new Gauge({ name: 'tessera_db_live_tuples', help: 'Live tuples in user tables (estimate)', registers: [registry] })
const replicationLag = new Gauge({ name: 'tessera_db_replication_lag_bytes', help: 'Largest WAL lag (sent minus replayed) of the streaming replicas', registers: [registry] })
const healthStatus = new Gauge({ name: 'tessera_db_health_status', help: 'Seed 004 health check per metric: 0 OK, 1 WARNING, 2 CRITICAL', labelNames: ['metric'] as const, registers: [registry] })
const healthValue = new Gauge({ name: 'tessera_db_health_value', help: 'Seed 004 health check value per metric (units in the metric name)', labelNames: ['metric'] as const, registers: [registry] })
const refreshFailures = new Counter({ name: 'tessera_db_stats_refresh_failures_total', help: 'Failed reads of the tessera_db_* gauges (the previous figures stay)', registers: [registry] })

const STATUS_VALUE = { OK: 0, WARNING: 1, CRITICAL: 2 } as const
const DEFAULT_INTERVAL_SECONDS = 30
/** A scrape waits this long for fresh figures, then answers the cached ones. */
const SCRAPE_WAIT_MS = 3000

interface RefreshState {
  lastAttemptAt: number
  inFlight: Promise<void> | undefined
}
const states = new WeakMap<Services, RefreshState>()

async function readGauges(services: Services): Promise<void> {
  await withContext(services.db, {}, async (trx) => {
    await sql`select set_config('statement_timeout', '5s', true)`.execute(trx)
    const health = await readHealthCheckSummary(trx)
    const figures = await readPerformanceMetrics(trx)
    const cache = await readCacheHit(trx)
    const byState = await readConnections(trx)
    const totals = await readGaugeFigures(trx)

    sizeBytes.set(figures.get('database_size_bytes') ?? 0)
    slowQueries.set(figures.get('slow_queries_5s') ?? 0)
    cacheHitRatio.reset()
    for (const row of cache) {
      if (row.ratio !== null) {
        cacheHitRatio.set({ scope: row.scope }, Number(row.ratio))
      }
    }
    connections.reset()
    for (const row of byState) {
      connections.set({ state: row.state }, Number(row.connections))
    }
    longestTransaction.set(totals.longest_transaction_seconds)
    longestQuery.set(totals.longest_query_seconds)
    deadTuples.set(Number(totals.dead_tuples))
    liveTuples.set(Number(totals.live_tuples))
    healthStatus.reset()
    healthValue.reset()
    for (const check of health.checks) {
      healthStatus.set({ metric: check.metric }, STATUS_VALUE[check.status])
      healthValue.set({ metric: check.metric }, check.value)
      if (check.metric === 'replication_lag_bytes') {
        replicationLag.set(check.value)
      }
    }
  })
}

/**
 * Refreshes the gauges when the last attempt is older than the configured interval; at most
 * one refresh runs at a time. A failure is counted and keeps the previous figures.
 */
export async function refreshDatabaseGauges(services: Services): Promise<void> {
  const state = states.get(services) ?? { lastAttemptAt: 0, inFlight: undefined }
  states.set(services, state)
  // The setting lives in the database too: when it cannot be read, the default interval applies
  // (and the refresh below fails and is counted), but /metrics still answers.
  const intervalMs = (await services.settings.integer('monitoring.database_metrics_interval_seconds', DEFAULT_INTERVAL_SECONDS).catch(() => DEFAULT_INTERVAL_SECONDS)) * 1000
  if (!state.inFlight && Date.now() - state.lastAttemptAt >= intervalMs) {
    state.lastAttemptAt = Date.now()
    state.inFlight = readGauges(services)
      .catch(() => refreshFailures.inc())
      .finally(() => {
        state.inFlight = undefined
      })
  }
  if (state.inFlight) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([state.inFlight, new Promise((resolve) => (timer = setTimeout(resolve, SCRAPE_WAIT_MS)))])
    clearTimeout(timer)
  }
}
