import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type TestContext } from '../../../test/app.ts'
import { compressTimeSeries } from './storage.jobs.ts'
import { asOwner, dayStart, insertPoints, randomPoints } from './storage.fixtures.ts'

/** GET /api/v1/admin/storage, through the app as the runtime role. */

let ctx: TestContext
const now = new Date()

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

describe('GET /api/v1/admin/storage', () => {
  it('lists partitions, compressed days, retention policies and maintenance runs to an instance administrator', async () => {
    const admin = await setupAdmin(ctx.app)
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
      ['aggregated_metrics', 'error_logs', 'mcp_request_logs', 'performance_metrics', 'pipeline_data', 'sessions', 'time_series_data', 'tool_usage_logs'])
    expect(body.runs[0]).toMatchObject({ job: 'ts:compress', outcome: 'succeeded' })
  })

  it('refuses anyone else', async () => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/storage', headers: { cookie: user.cookie } })
    expect(response.statusCode).toBe(403)
  })
})
