import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/** The series engine over pipeline_data fields: numeric values by record_time, grouped by another field. */

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

describe('GET /pipelines/:pipelineId/series', () => {
  it('aggregates a numeric field (top-level or nested) per bucket, grouped by another field, skipping non-numbers', async () => {
    const pipelineId = (await createPipeline(ctx.app, org)).id
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000)
    const records = [
      { amount: 5, m: { price: 1.5 }, country: 'FR', at: 0 },
      { amount: 7, m: { price: 2.5 }, country: 'DE', at: 10 },
      { amount: 'n/a', m: { price: 'x' }, country: 'FR', at: 20 },
      { amount: 3, country: 'FR', at: 70 },
    ]
    for (const { at, ...data } of records) {
      await ctx.admin.query('insert into ingest.pipeline_data (pipeline_id, organization_id, data, record_time) values ($1, $2, $3, $4)', [
        pipelineId,
        org.id,
        JSON.stringify(data),
        new Date(hour.getTime() + at * 60_000),
      ])
    }
    const get = async (query: Record<string, string>) => {
      const params = new URLSearchParams({ from: hour.toISOString(), to: new Date(hour.getTime() + 2 * 3_600_000).toISOString(), bucket: '1h', ...query })
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/series?${params}`, headers: org.owner.headers })
      expect(response.statusCode, response.body).toBe(200)
      return response.json() as { source: string; points: Array<{ t: string; value: number; count: number; group?: string | null }> }
    }
    expect((await get({ field: 'amount', agg: 'sum' })).points.map((p) => [p.t, p.value, p.count])).toEqual([
      [hour.toISOString(), 12, 2],
      [new Date(hour.getTime() + 3_600_000).toISOString(), 3, 1],
    ])
    expect((await get({ field: 'm.price', agg: 'avg' })).points.map((p) => p.value)).toEqual([2])
    const grouped = await get({ field: 'amount', agg: 'max', groupBy: 'country' })
    expect(grouped.source).toBe('raw')
    expect(grouped.points.map((p) => [p.group, p.value])).toEqual([['DE', 7], ['FR', 5], ['FR', 3]])
    // Without a field, records are counted.
    expect((await get({})).points.map((p) => p.value)).toEqual([3, 1])
    const { rows } = await ctx.admin.query("select count(*)::int as n from telemetry.query_performance_logs where pipeline_id = $1 and query_kind = 'pipeline_series'", [pipelineId])
    expect(rows[0].n).toBe(4)
  })
})
