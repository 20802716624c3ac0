import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { aggregatePerformanceMetrics } from './performance-metrics.jobs.ts'
import type { PerformanceMetricsResponse } from './performance-metrics.schema.ts'
import { periodForRange } from './performance-metrics.service.ts'

/** GET /api/v1/admin/performance-metrics through the app as the runtime role, after a real aggregation. */

let ctx: TestContext
let admin: Session
let user: Session
let minute: Date

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  user = await registerUser(ctx.app)
  minute = (await ctx.admin.query<{ minute: Date }>(`select date_trunc('minute', now()) - interval '5 minutes' as minute`)).rows[0]!.minute
  for (let i = 0; i < 20; i++) {
    await ctx.admin.query(
      `insert into telemetry.request_logs (request_id, method, route, path, response_status_code, duration_ms, success, "timestamp")
       values ($1, 'GET', '/api/v1/probe', '/api/v1/probe', $2, $3, $2 < 400, $4)`,
      [randomUUID(), i === 0 ? 500 : 200, (i + 1) * 10, new Date(minute.getTime() + i * 1000)])
  }
  const owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  await owner.connect()
  try {
    await aggregatePerformanceMetrics(owner, { environment: 'test', poolSize: 10 })
  } finally {
    await owner.end()
  }
})
afterAll(async () => {
  await ctx?.close()
})

function get(query: string, session: Session = admin) {
  return ctx.app.inject({ method: 'GET', url: `/api/v1/admin/performance-metrics${query}`, headers: { cookie: session.cookie } })
}

describe('GET /api/v1/admin/performance-metrics', () => {
  it('gives an instance administrator the aggregated series of the range, period picked from it', async () => {
    const from = new Date(minute.getTime() - 30 * 60_000).toISOString()
    const to = new Date(minute.getTime() + 30 * 60_000).toISOString()
    const response = await get(`?from=${from}&to=${to}`)
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json() as PerformanceMetricsResponse
    expect(body).toMatchObject({ period: '1m', from, to })
    expect(body.asOf).not.toBeNull()
    expect(new Date(body.asOf!).getTime()).toBeGreaterThanOrEqual(minute.getTime())

    const p95 = body.series.find((s) => s.name === 'http_request_duration_ms' && JSON.stringify(s.labels) === '{"stat":"p95"}')
    expect(p95?.unit).toBe('ms')
    expect(p95?.points).toContainEqual([minute.toISOString(), 190.5])
    const route = body.series.find((s) => s.name === 'http_request_duration_ms' && s.labels.route === '/api/v1/probe' && s.labels.stat === 'avg')
    expect(route?.labels).toEqual({ route: '/api/v1/probe', method: 'GET', stat: 'avg' })
    expect(route?.points).toContainEqual([minute.toISOString(), 105])
    const errors = body.series.find((s) => s.name === 'http_error_rate_percent')
    expect(errors?.points).toContainEqual([minute.toISOString(), 5])
    // Points are oldest first.
    const times = body.series.find((s) => s.name === 'http_requests_per_second')!.points.map((p) => p[0])
    expect([...times].sort()).toEqual(times)
    expect(body.series.some((s) => s.name === 'db_pool_utilization_percent')).toBe(true)
  })

  it('filters by name and honours an explicit period', async () => {
    const response = await get('?names=http_error_rate_percent,http_requests_per_second&period=5m')
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json() as PerformanceMetricsResponse
    expect(body.period).toBe('5m')
    expect(new Set(body.series.map((s) => s.name))).toEqual(new Set(['http_error_rate_percent', 'http_requests_per_second']))
  })

  it('refuses anyone but an instance administrator', async () => {
    expect((await get('', user)).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/performance-metrics' })).statusCode).toBe(401)
  })

  it('answers 400 with a stable code for a bad range or an unknown period', async () => {
    const reversed = await get('?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')
    expect([reversed.statusCode, reversed.json().error.code]).toEqual([400, 'invalid_time_range'])
    const tooLong = await get('?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')
    expect([tooLong.statusCode, tooLong.json().error.code]).toEqual([400, 'invalid_time_range'])
    const period = await get('?period=2m')
    expect([period.statusCode, period.json().error.code]).toEqual([400, 'validation_failed'])
    const date = await get('?from=yesterday')
    expect(date.statusCode).toBe(400)
  })
})

describe(periodForRange.name, () => {
  it('keeps charts at or under about 500 points', () => {
    const hour = 3_600_000
    expect(periodForRange(hour)).toBe('1m')
    expect(periodForRange(6 * hour)).toBe('1m')
    expect(periodForRange(24 * hour)).toBe('5m')
    expect(periodForRange(48 * hour)).toBe('15m')
    expect(periodForRange(7 * 24 * hour)).toBe('1h')
    expect(periodForRange(30 * 24 * hour)).toBe('1d')
  })
})
