import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { runTask } from '../../../test/jobs.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { refreshAnalyticsViews } from './analytics-views.jobs.ts'
import { dayStart, hourStart, insertErrors, insertMetric, insertToolCalls, readView } from './analytics-views.fixtures.ts'

/** Seed 002's summary views: their aggregates, who reads which rows, and the refresh job. */

let ctx: TestContext
let orgA: OrgFixture
let orgB: OrgFixture
let viewerA: Session
let instanceAdmin: Session
const hour = hourStart(2)
const day = dayStart(2)

beforeAll(async () => {
  ctx = await createTestApp()
  instanceAdmin = await setupAdmin(ctx.app)
  orgA = await createOrg(ctx.app, await registerUser(ctx.app))
  orgB = await createOrg(ctx.app, await registerUser(ctx.app))
  viewerA = await addMember(ctx.app, orgA, 'viewer')
  // Months behind the worker's window, for the rows the views leave out.
  const owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  await owner.connect()
  await owner.query("select ops.ensure_partitions('telemetry.tool_usage_logs', 'month', 1, 3)")
  await owner.end()

  const a = orgA.owner.userId
  const at = (minutes: number) => new Date(hour.getTime() + minutes * 60_000)
  await insertToolCalls(ctx.admin, [
    { orgId: orgA.id, at: at(1), durationMs: 100, responseSize: 10, userId: a, sessionId: 's1' },
    { orgId: orgA.id, at: at(2), durationMs: 200, responseSize: 20, userId: a, sessionId: 's1' },
    { orgId: orgA.id, at: at(3), durationMs: 300, responseSize: 30, userId: a, sessionId: 's2' },
    { orgId: orgA.id, at: at(4), durationMs: 400, responseSize: 40, userId: viewerA.userId, sessionId: 's3', success: false },
    { orgId: orgA.id, at: at(5), durationMs: 1000, responseSize: null, userId: null, sessionId: null },
    { orgId: orgB.id, at: at(6), durationMs: 50 },
    // Older than the seed's 30 days: not summarized.
    { orgId: orgA.id, at: new Date(Date.now() - 40 * 86_400_000), durationMs: 9999 },
  ])
  const d = (hours: number) => new Date(day.getTime() + hours * 3_600_000)
  await insertErrors(ctx.admin, [
    { orgId: orgA.id, at: d(1), level: 'error', category: 'database', severity: 2, resolved: true, errorCode: 'E1', userId: a, sessionId: 's1' },
    { orgId: orgA.id, at: d(5), level: 'error', category: 'database', severity: 3, errorCode: 'E2', userId: a, sessionId: 's2' },
    { orgId: orgA.id, at: d(9), level: 'error', category: 'database', severity: null, errorCode: 'E1', userId: viewerA.userId, sessionId: 's2' },
    { orgId: orgA.id, at: d(2), level: 'warn', category: null },
    { orgId: orgB.id, at: d(3), level: 'error', category: 'database' },
    { orgId: null, at: d(4), level: 'fatal', category: 'worker' },
  ])
  for (const value of [10, 20, 30]) {
    await insertMetric(ctx.admin, orgA.id, 'api.latency', '1h', value, new Date(hour.getTime() + value * 60_000))
  }
  await insertMetric(ctx.admin, orgB.id, 'api.latency', '1h', 99, hour)
  await insertMetric(ctx.admin, null, 'db.connections', '1m', 7, hour)
})

afterAll(async () => {
  await ctx?.close()
})

describe('summary views', () => {
  it('show nothing new until a refresh, then the seed aggregates per organization', async () => {
    expect(await readView(ctx, viewerA.userId, orgA.id, 'telemetry.hourly_tool_usage')).toEqual([])

    const run = await refreshAnalyticsViews(ctx.testDb.ownerUrl)
    expect(run.outcome).toBe('succeeded')

    const usage = await readView(ctx, viewerA.userId, orgA.id, 'telemetry.hourly_tool_usage')
    expect(usage).toEqual([{
      organization_id: orgA.id, hour, bcp_name: 'contacts', tool_name: 'hubspot-contacts', operation: 'search',
      total_calls: '5', successful_calls: '4', failed_calls: '1',
      avg_duration_ms: 400, median_duration_ms: 300, p95_duration_ms: 880, max_duration_ms: 1000, min_duration_ms: 100,
      avg_response_size: 25, unique_users: '2', unique_sessions: '3',
    }])

    const errors = await readView(ctx, viewerA.userId, orgA.id, 'telemetry.daily_errors')
    expect(errors.sort((x, y) => String(x.level).localeCompare(String(y.level)))).toEqual([
      expect.objectContaining({
        organization_id: orgA.id, day, level: 'error', category: 'database', error_count: '3', affected_users: '2', affected_sessions: '2',
        resolved_count: '1', unresolved_count: '2', avg_severity: '2.50', error_codes: 'E1, E2', first_error: new Date(day.getTime() + 3_600_000), last_error: new Date(day.getTime() + 9 * 3_600_000),
      }),
      // A null category is a group of its own (the unique index treats nulls as equal).
      expect.objectContaining({ organization_id: orgA.id, level: 'warn', category: null, error_count: '1', avg_severity: null, error_codes: null }),
    ])

    const metrics = await readView(ctx, viewerA.userId, orgA.id, 'telemetry.metrics_summary')
    expect(metrics).toEqual([{
      organization_id: orgA.id, metric_name: 'api.latency', aggregation_period: '1h', time_bucket: hour,
      avg_value: expect.stringMatching(/^20\.0+$/), min_value: '10.0000', max_value: '30.0000', p95_value: 29, sample_count: '3', stddev_value: expect.stringMatching(/^10\.0+$/),
    }])
  })

  it('follow new rows on the next (concurrent) refresh, nulls in the keys included', async () => {
    await insertToolCalls(ctx.admin, [{ orgId: orgA.id, at: new Date(hour.getTime() + 30 * 60_000), durationMs: 600 }])
    await insertErrors(ctx.admin, [{ orgId: orgA.id, at: new Date(day.getTime() + 7_200_000), level: 'warn', category: null }])
    await refreshAnalyticsViews(ctx.testDb.ownerUrl)

    const [usage] = await readView(ctx, viewerA.userId, orgA.id, 'telemetry.hourly_tool_usage')
    expect(usage).toMatchObject({ total_calls: '6', max_duration_ms: 1000 })
    const warn = (await readView(ctx, viewerA.userId, orgA.id, 'telemetry.daily_errors')).filter((row) => row.level === 'warn')
    expect(warn).toEqual([expect.objectContaining({ category: null, error_count: '2' })])
  })

  it("give each organization its own rows only, and the instance's rows to instance administrators only", async () => {
    const ownerB = orgB.owner.userId
    expect((await readView(ctx, ownerB, orgB.id, 'telemetry.hourly_tool_usage')).map((r) => [r.organization_id, r.total_calls])).toEqual([[orgB.id, '1']])
    expect((await readView(ctx, ownerB, orgB.id, 'telemetry.metrics_summary')).map((r) => r.avg_value)).toEqual([expect.stringMatching(/^99\.0+$/)])
    // B's owner naming organization A, and the instance administrator, who is no member of A.
    for (const view of ['telemetry.hourly_tool_usage', 'telemetry.daily_errors', 'telemetry.metrics_summary'] as const) {
      expect(await readView(ctx, ownerB, orgA.id, view)).toEqual([])
    }
    expect(await readView(ctx, instanceAdmin.userId, orgA.id, 'telemetry.hourly_tool_usage')).toEqual([])
    expect((await readView(ctx, instanceAdmin.userId, orgA.id, 'telemetry.daily_errors')).map((r) => [r.organization_id, r.level])).toEqual([[null, 'fatal']])
    expect((await readView(ctx, instanceAdmin.userId, orgA.id, 'telemetry.metrics_summary')).map((r) => [r.organization_id, r.metric_name])).toEqual([[null, 'db.connections']])
    expect((await readView(ctx, viewerA.userId, orgA.id, 'telemetry.daily_errors')).some((r) => r.organization_id === null)).toBe(false)
  })

  it('keep the materialized views themselves out of the runtime role’s reach', async () => {
    for (const view of ['telemetry.hourly_tool_usage_summary', 'telemetry.daily_error_summary', 'telemetry.performance_metrics_summary']) {
      await expect(ctx.database.pool.query(`select 1 from ${view}`)).rejects.toMatchObject({ code: '42501' })
      await expect(ctx.database.pool.query(`refresh materialized view ${view}`)).rejects.toMatchObject({ code: '42501' })
    }
  })
})

describe('analytics:refresh-views', () => {
  it('refreshes every summary view (and dashboard_stats) and records the run with the time each took', async () => {
    await runTask(ctx, 'analytics:refresh-views')

    const { rows } = await ctx.admin.query<{ outcome: string; details: { views: Array<{ view: string; refreshMs: unknown }> } }>(
      "select outcome, details from ops.maintenance_runs where job = 'analytics:refresh-views' order by id desc limit 1")
    expect(rows[0]?.outcome).toBe('succeeded')
    const views = rows[0]!.details.views
    expect(views.map((v) => v.view)).toEqual(['telemetry.daily_error_summary', 'telemetry.dashboard_stats', 'telemetry.hourly_tool_usage_summary', 'telemetry.performance_metrics_summary'])
    for (const view of views) {
      expect(Number.isInteger(view.refreshMs)).toBe(true)
    }
  })

  it('runs every 5 minutes', async () => {
    const { JOB_SCHEDULE } = await import('../jobs/jobs.tasks.ts')
    expect(JOB_SCHEDULE.split('\n')).toContain('*/5 * * * * analytics:refresh-views ?max=1')
  })
})
