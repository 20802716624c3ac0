import { spawnSync } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { refreshDatabaseGauges } from './database-health.metrics.ts'
import type { DatabaseHealthResponse } from './database-health.schema.ts'

/**
 * GET /api/v1/admin/database, /api/health?full=1 and the tessera_db_* gauges of /metrics,
 * through the app as the runtime role, against the statistics of the real test database.
 */

let ctx: TestContext
let admin: Session
let user: Session

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  user = await registerUser(ctx.app)
})
afterAll(async () => {
  await ctx?.close()
})

async function databaseHealth(query = ''): Promise<DatabaseHealthResponse> {
  const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/database${query}`, headers: { cookie: admin.cookie } })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as DatabaseHealthResponse
}

describe('GET /api/v1/admin/database', () => {
  it('answers every section with the figures of the test database', async () => {
    const body = await databaseHealth()

    for (const name of ['overview', 'healthCheck', 'tables', 'indexes', 'cacheHit', 'connections', 'longTransactions', 'slowQueries', 'replication', 'partitions'] as const) {
      expect(body[name].error, name).toBeNull()
      expect(body[name].data, name).not.toBeNull()
    }
    const overview = body.overview.data!
    expect(overview.databaseName).toBe(ctx.testDb.name)
    expect(overview.sizeBytes).toBeGreaterThan(1_000_000)
    // The bootstrap granted pg_monitor to the definer role: every session is visible.
    expect(overview.monitorPrivileges).toBe(true)
    expect(overview.privilegesHint).toBeNull()

    const checks = body.healthCheck.data!.checks
    expect(checks.map((c) => c.metric).sort()).toEqual(['active_connections', 'connection_usage_percent', 'database_size_gb', 'oldest_transaction_minutes', 'replication_lag_bytes'])
    expect(checks.find((c) => c.metric === 'database_size_gb')).toMatchObject({ warningThreshold: 50, criticalThreshold: 100, status: 'OK' })
    // The request's own connection is active.
    expect(checks.find((c) => c.metric === 'active_connections')!.value).toBeGreaterThanOrEqual(1)

    // Partitioned tables are one row, their partitions summed.
    const series = body.tables.data!.find((t) => t.schema === 'ts' && t.table === 'time_series_data')
    expect(series?.partitions).toBeGreaterThan(1)
    expect(series?.totalBytes).toBeGreaterThan(0)
    expect(body.tables.data!.some((t) => t.table.startsWith('time_series_data_'))).toBe(false)

    const connections = body.connections.data!
    expect(connections.maxConnections).toBeGreaterThan(0)
    expect(connections.byState.find((s) => s.state === 'active')?.inDatabase).toBeGreaterThanOrEqual(1)
    expect(connections.byState.some((s) => s.state === 'unknown')).toBe(false)
    expect(body.cacheHit.data!.database.hits).toBeGreaterThan(0)
    expect(body.cacheHit.data!.database.ratio).toBeGreaterThan(0)
    expect(body.replication.data).toMatchObject({ inRecovery: false, replicas: [] })

    const points = body.partitions.data!.find((p) => p.table === 'ts.time_series_data')
    expect(points).toMatchObject({ granularity: 'day', status: 'OK', problem: null })
    expect(points!.attached).toBeGreaterThan(0)
  })

  it('shows the dead tuples and the bloat estimate of a table, and its index that nothing scans as unused', async () => {
    await ctx.admin.query('create table public.health_probe (id integer primary key, pad text) with (autovacuum_enabled = false)')
    await ctx.admin.query('create index health_probe_pad_idx on public.health_probe (pad)')
    await ctx.admin.query("insert into public.health_probe select g, repeat('x', 200) from generate_series(1, 2000) g")
    await ctx.admin.query('delete from public.health_probe where id <= 1500')
    // Statistics reach shared memory when the session goes idle; this makes it the next time.
    await ctx.admin.query('select pg_stat_force_next_flush()')

    await expect.poll(async () => (await databaseHealth()).tables.data!.find((t) => t.schema === 'public' && t.table === 'health_probe')?.deadTuples).toBe(1500)
    const body = await databaseHealth()
    const probe = body.tables.data!.find((t) => t.table === 'health_probe')!
    expect(probe).toMatchObject({ partitions: 0, liveTuples: 500, inserts: 2000, deletes: 1500, deadRatio: 0.75 })
    expect(probe.bloatBytesEstimate).toBeGreaterThan(0.7 * probe.tableBytes)
    expect(probe.bloatBytesEstimate).toBeLessThanOrEqual(probe.tableBytes)

    const indexes = body.indexes.data!.filter((i) => i.table === 'health_probe')
    expect(indexes.find((i) => i.index === 'health_probe_pad_idx')).toMatchObject({ scans: 0, unused: true, unique: false })
    // A primary key enforces uniqueness: never reported unused.
    expect(indexes.find((i) => i.index === 'health_probe_pkey')).toMatchObject({ primary: true, unused: false })
  })

  it('lists a transaction another session holds open, with its statement, and counts it in the health check', async () => {
    const holder = new pg.Client({ connectionString: ctx.testDb.adminUrl, application_name: 'health-test-holder' })
    await holder.connect()
    try {
      await holder.query('begin')
      await holder.query("select 'held open by the database-health test' as marker")
      const { rows } = await holder.query<{ pid: number }>('select pg_backend_pid() as pid')
      await new Promise((resolve) => setTimeout(resolve, 1500))

      const body = await databaseHealth('?longTransactionSeconds=1')

      const held = body.longTransactions.data!.transactions.find((t) => t.pid === rows[0]!.pid)
      expect(held).toMatchObject({ application: 'health-test-holder', state: 'idle in transaction', database: ctx.testDb.name, query: 'select pg_backend_pid() as pid' })
      expect(held!.transactionSeconds).toBeGreaterThanOrEqual(1.4)
      expect(body.longTransactions.data!.minSeconds).toBe(1)
      expect(body.healthCheck.data!.checks.find((c) => c.metric === 'oldest_transaction_minutes')!.value).toBeGreaterThan(0)
    } finally {
      await holder.query('rollback')
      await holder.end()
    }
    const after = await databaseHealth('?longTransactionSeconds=1')
    expect(after.longTransactions.data!.transactions.some((t) => t.application === 'health-test-holder')).toBe(false)
  })

  it('gives the hint to enable pg_stat_statements when it is missing, and lists slow queries once it works', async () => {
    await ctx.admin.query('drop extension if exists pg_stat_statements')
    const missing = (await databaseHealth()).slowQueries.data!
    expect(missing.status).not.toBe('available')
    expect(missing.queries).toEqual([])
    expect(missing.hint).toMatch(/CREATE EXTENSION (IF NOT EXISTS )?pg_stat_statements/)
    expect(missing.hint).toContain(ctx.testDb.name)

    const { rows } = await ctx.admin.query<{ libraries: string }>('select current_setting(\'shared_preload_libraries\') as libraries')
    const preloaded = /pg_stat_statements/.test(rows[0]!.libraries)
    expect(missing.status).toBe(preloaded ? 'not_installed' : 'not_loaded')
    await ctx.admin.query('create extension pg_stat_statements')
    await ctx.admin.query('select count(*) from pg_class, pg_sleep(0.05)')
    const created = (await databaseHealth()).slowQueries.data!
    if (preloaded) {
      expect(created).toMatchObject({ status: 'available', hint: null })
      expect(created.queries.length).toBeGreaterThan(0)
      expect(created.queries[0]!.meanMs).toBeGreaterThanOrEqual(created.queries.at(-1)!.meanMs)
    } else {
      // Created but not preloaded: PostgreSQL refuses to read it, and the hint says why.
      expect(created.status).toBe('not_loaded')
      expect(created.hint).toContain('shared_preload_libraries')
    }
  })

  it('reports the error of a section that fails and still answers the others', async () => {
    await ctx.admin.query('revoke execute on function private.database_index_statistics() from tessera_runtime')
    try {
      const body = await databaseHealth()
      expect(body.indexes).toEqual({ data: null, error: expect.stringContaining('permission denied') })
      expect(body.tables.error).toBeNull()
      expect(body.cacheHit.error).toBeNull()
      expect(body.partitions.data!.length).toBeGreaterThan(0)
    } finally {
      await ctx.admin.query('grant execute on function private.database_index_statistics() to tessera_runtime')
    }
  })

  it('refuses anyone but an instance administrator, and bad parameters', async () => {
    const member = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/database', headers: { cookie: user.cookie } })
    expect(member.statusCode).toBe(403)
    expect(member.json().error.code).toBe('forbidden')
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/database' })
    expect(anonymous.statusCode).toBe(401)
    const bad = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/database?slowQueryLimit=0', headers: { cookie: admin.cookie } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('validation_failed')
  })

  it('keeps names of tables and sessions from the runtime role without an administrator', async () => {
    const { rows } = await ctx.database.pool.query('select (select count(*) from private.database_table_statistics()) as tables, (select count(*) from private.database_long_transactions(0)) as sessions, (select count(*) from private.database_health_check()) as checks')
    expect(rows[0]).toEqual({ tables: '0', sessions: '0', checks: '5' })
  })
})

describe('GET /api/health?full=1', () => {
  it('adds the seed 004 health check for an instance administrator only', async () => {
    const plain = await ctx.app.inject({ method: 'GET', url: '/api/health' })
    expect(plain.json().databaseHealth).toBeUndefined()
    const plainWithCookie = await ctx.app.inject({ method: 'GET', url: '/api/health', headers: { cookie: admin.cookie } })
    expect(plainWithCookie.json().databaseHealth).toBeUndefined()

    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/health?full=1' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error.code).toBe('unauthenticated')
    const member = await ctx.app.inject({ method: 'GET', url: '/api/health?full=1', headers: { cookie: user.cookie } })
    expect(member.statusCode).toBe(403)

    const full = await ctx.app.inject({ method: 'GET', url: '/api/health?full=1', headers: { cookie: admin.cookie } })
    // The status code stays the plain health's (the test has no worker heartbeat: 503).
    expect(full.statusCode).toBe(plain.statusCode)
    const health = full.json().databaseHealth
    expect(health.error).toBeNull()
    expect(health.data.status).toMatch(/^(OK|WARNING|CRITICAL)$/)
    expect(health.data.checks).toHaveLength(5)
    expect(health.data.checks.find((c: { metric: string }) => c.metric === 'replication_lag_bytes')).toEqual({
      metric: 'replication_lag_bytes', value: 0, status: 'OK', warningThreshold: 1048576, criticalThreshold: 10485760,
    })
  })
})

describe('GET /metrics', () => {
  it('publishes the tessera_db_* gauges, and promtool check metrics accepts the whole page', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.statusCode).toBe(200)
    const text = response.body
    const gauge = (pattern: RegExp) => Number(pattern.exec(text)?.[1])
    expect(gauge(/^tessera_db_size_bytes (\S+)$/m)).toBeGreaterThan(1_000_000)
    expect(gauge(/^tessera_db_cache_hit_ratio\{scope="database"\} (\S+)$/m)).toBeGreaterThan(0)
    expect(gauge(/^tessera_db_connections\{state="active"\} (\S+)$/m)).toBeGreaterThanOrEqual(1)
    expect(gauge(/^tessera_db_health_status\{metric="database_size_gb"\} (\S+)$/m)).toBe(0)
    expect(text).toMatch(/^tessera_db_longest_transaction_seconds \S+$/m)
    expect(text).toMatch(/^tessera_db_dead_tuples \S+$/m)

    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
    expect(promtool.error, 'promtool is missing: install the Debian package prometheus (.ci/run does)').toBeUndefined()
    expect(`${promtool.stdout}${promtool.stderr}`).toBe('')
    expect(promtool.status).toBe(0)
  })

  it('reads the database at most once per interval', async () => {
    await ctx.admin.query("update app.system_settings set setting_value = '3600' where setting_key = 'monitoring.database_metrics_interval_seconds'")
    const before = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    const size = (text: string) => /^tessera_db_size_bytes (\S+)$/m.exec(text)?.[1]
    // A table of 8 MB changes the size; a cached figure does not.
    await ctx.admin.query("create table public.health_growth as select g, repeat('y', 1000) as pad from generate_series(1, 8000) g")
    await refreshDatabaseGauges(ctx.services)
    const after = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    expect(size(after.body)).toBe(size(before.body))

    await ctx.admin.query("update app.system_settings set setting_value = '1' where setting_key = 'monitoring.database_metrics_interval_seconds'")
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const refreshed = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    expect(Number(size(refreshed.body))).toBeGreaterThan(Number(size(before.body)) + 4_000_000)
  })
})
