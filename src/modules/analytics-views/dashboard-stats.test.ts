import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { runTimeSeriesRollup } from '../timeseries/rollup.ts'
import { createMetric, ensurePointPartitions, insertBatch } from '../timeseries/series.fixtures.ts'
import { refreshAnalyticsViews } from './analytics-views.jobs.ts'
import { hourStart } from './analytics-views.fixtures.ts'

/** Seed 000's dashboard_stats: refreshed with the other summary views, read by an organization's administrators. */

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

describe('telemetry.dashboard_stats', () => {
  it('counts widgets and views and averages the widgets’ metrics over the last day; deleted dashboards and other roles see nothing', async () => {
    const create = async (name: string) => (await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/dashboards`, headers: org.owner.headers, payload: { name } })).json().id as string
    const sales = await create('Sales')
    const gone = await create('Old board')
    const metricId = await createMetric(ctx.admin, org.id, 'orders', 'sum')
    const hour = hourStart(2)
    await insertBatch(ctx.admin, org.id, metricId, [2, 4, 6].map((v, i) => ({ ts: new Date(hour.getTime() + i * 60_000), value: v.toFixed(4), dims: { shop: `s${i}` } })))
    await insertBatch(ctx.admin, org.id, metricId, [{ ts: new Date(hour.getTime() + 3_600_000 + 5_000), value: '8.0000', dims: {} }])
    await runTimeSeriesRollup(ctx.services.db)
    for (const [type, query] of [['line_chart', { source: 'metric', metricId }], ['text', {}], ['stat_card', { source: 'metric', metricId: 'not-a-uuid' }]] as const) {
      await ctx.admin.query(`insert into app.widgets (organization_id, dashboard_id, widget_type, title, position, data_query) values ($1, $2, $3, 'w', '{"x":0,"y":0,"w":4,"h":3}', $4)`,
        [org.id, sales, type, JSON.stringify(query)])
    }
    await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/dashboards/${sales}`, headers: org.owner.headers })
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/dashboards/${gone}`, headers: org.owner.headers })

    const run = await refreshAnalyticsViews(ctx.testDb.ownerUrl)
    expect(run.outcome).toBe('succeeded')
    const read = (userId: string) => withContext(ctx.database.db, { userId, orgId: org.id }, async (trx) =>
      (await sql<{ id: string; widget_count: string; view_count: number; avg_metric_value: string | null }>`select * from telemetry.dashboard_statistics`.execute(trx)).rows)
    const rows = await read(org.owner.userId)
    // The hour totals: 2+4+6 = 12 in one hour, 8 in the next; their average is 10.
    expect(rows.map((r) => [r.id, Number(r.widget_count), r.view_count, Number(r.avg_metric_value)])).toEqual([[sales, 3, 1, 10]])
    const member = await addMember(ctx.app, org, 'member')
    expect(await read(member.userId)).toEqual([])
  })
})
