import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { createOrg } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { compressTimeSeries } from './storage.jobs.ts'
import { asOwner, dayStart, insertPoints, randomPoints } from './storage.fixtures.ts'

/** GET /api/v1/admin/storage, through the app as the runtime role. */

let ctx: TestContext
let admin: Session
const now = new Date()

beforeAll(async () => {
  ctx = await createTestApp()
  // First-run setup works once per instance: every test shares this administrator.
  admin = await setupAdmin(ctx.app)
})
afterAll(async () => {
  await ctx.close()
})

describe('GET /api/v1/admin/storage', () => {
  it('lists partitions, compressed days, retention policies and maintenance runs to an instance administrator', async () => {
    await asOwner(ctx.testDb, (owner) => owner.query("select ops.ensure_partitions('ts.time_series_data', 'day', 1, 33)"))
    await insertPoints(ctx.admin, 'ts.time_series_data', randomPoints([dayStart(now, 32)], 400, 2))
    await compressTimeSeries(ctx.testDb.ownerUrl, { now })

    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/storage', headers: { cookie: admin.cookie } })

    expect(response.statusCode).toBe(200)
    const body = response.json()
    const today = body.partitions.find((p: { table: string; state: string }) => p.table === 'ts.time_series_data' && p.state === 'attached')
    expect(today.totalBytes).toBeGreaterThan(0)
    expect(body.partitions.some((p: { state: string }) => p.state === 'compressed')).toBe(true)
    expect(body.segments).toEqual([expect.objectContaining({ day: dayStart(now, 32).toISOString().slice(0, 10), points: 400 })])
    expect(body.segments[0].ratio).toBeGreaterThan(1)
    expect(body.retentionPolicies.map((p: { tableName: string }) => p.tableName)).toEqual(
      ['aggregated_metrics', 'error_logs', 'mcp_request_logs', 'performance_metrics', 'pipeline_data', 'query_performance_logs', 'saved_query_results', 'sessions', 'time_series_data', 'tool_usage_logs'])
    expect(body.runs[0]).toMatchObject({ job: 'ts:compress', outcome: 'succeeded' })
  })

  it('counts series cache hits and misses, the entries cached and the query times, across organizations', async () => {
    const owner = await registerUser(ctx.app)
    const org = await createOrg(ctx.app, owner)
    const metric = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: owner.headers, payload: { name: 'cache.probe', displayName: 'Cache probe' } })
    expect(metric.statusCode, metric.body).toBe(201)
    const series = `/api/v1/orgs/${org.id}/metrics/${metric.json().id}/series?from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&bucket=1h`
    const first = await ctx.app.inject({ method: 'GET', url: series, headers: owner.headers })
    const second = await ctx.app.inject({ method: 'GET', url: series, headers: owner.headers })
    expect([first.json().cache, second.json().cache]).toEqual(['miss', 'hit'])

    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/storage', headers: { cookie: admin.cookie } })

    expect(response.statusCode).toBe(200)
    const cache = response.json().seriesCache
    for (const period of ['1h', '24h']) {
      const figures = cache.periods.find((p: { period: string }) => p.period === period)
      expect(figures).toMatchObject({ hits: 1, misses: 1, hitRate: 0.5 })
      expect(figures.p95Ms).toBeGreaterThanOrEqual(figures.medianMs)
    }
    expect(cache).toMatchObject({ entries: 1, liveEntries: 1 })
    expect(cache.bytes).toBeGreaterThan(0)
  })

  it('answers a non-administrator nothing through the private functions, and reports an empty cache with null rates', async () => {
    const owner = await registerUser(ctx.app)
    const org = await createOrg(ctx.app, owner)
    const metric = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: owner.headers, payload: { name: 'cache.private', displayName: 'Private' } })
    const queried = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/metrics/${metric.json().id}/series`, headers: owner.headers })
    expect(queried.statusCode).toBe(200)
    // As the runtime role, in the owner's own organization: no rows at all, not even zeros.
    const seen = await withContext(ctx.database.db, { userId: owner.userId, orgId: org.id }, async (trx) => ({
      statistics: (await sql`select * from private.series_cache_statistics()`.execute(trx)).rows,
      totals: (await sql`select * from private.series_cache_totals()`.execute(trx)).rows,
    }))
    expect(seen).toEqual({ statistics: [], totals: [] })

    await ctx.admin.query('delete from ts.query_cache')
    await ctx.admin.query('delete from telemetry.query_performance_logs')
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/storage', headers: { cookie: admin.cookie } })
    expect(response.json().seriesCache).toEqual({
      periods: [
        { period: '1h', hits: 0, misses: 0, hitRate: null, medianMs: null, p95Ms: null },
        { period: '24h', hits: 0, misses: 0, hitRate: null, medianMs: null, p95Ms: null },
      ],
      entries: 0,
      liveEntries: 0,
      bytes: 0,
    })
  })

  it('refuses anyone else', async () => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/storage', headers: { cookie: user.cookie } })
    expect(response.statusCode).toBe(403)
  })
})
