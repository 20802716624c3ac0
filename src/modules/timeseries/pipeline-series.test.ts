import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { ensurePastPartitions } from '../../../test/jobs.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { DAY_MS, dayStart, partitionOf } from '../pipeline-data/compression.fixtures.ts'
import { summarizeDayRanges } from '../pipeline-data/day-ranges.ts'
import { pipelineSeriesStatement } from './pipeline-series.ts'
import { normalize } from './series.service.ts'

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

  it('leaves out the closed partitions whose record times cannot match (EXPLAIN), with an unchanged answer; a later write brings its partition back', async () => {
    await ensurePastPartitions(ctx, 10)
    const pipelineId = (await createPipeline(ctx.app, org)).id
    const now = new Date()
    const [day8, day6, day4] = [8, 6, 4].map((n) => dayStart(now, n)) as [Date, Date, Date]
    const insert = (ingestedAt: Date, recordTime: Date, amount: number) =>
      ctx.admin.query('insert into ingest.pipeline_data (pipeline_id, organization_id, data, ingested_at, record_time) values ($1, $2, $3, $4, $5)', [
        pipelineId, org.id, JSON.stringify({ amount }), ingestedAt, recordTime])
    for (const day of [day8, day6, day4]) {
      for (let hour = 0; hour < 24; hour += 3) {
        const at = new Date(day.getTime() + hour * 3_600_000)
        await insert(at, new Date(at.getTime() - 600_000), hour + day.getUTCDate())
      }
    }
    // A backfill arriving today with record times of day 6: today's partition is always scanned.
    await insert(now, new Date(day6.getTime() + 7_200_000), 500)
    const input = { from: day6.toISOString(), to: new Date(day6.getTime() + DAY_MS).toISOString(), bucket: '1h' as const, field: 'amount', agg: 'sum' as const }
    const series = async () => {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/series?${new URLSearchParams(input)}`, headers: org.owner.headers })
      expect(response.statusCode, response.body).toBe(200)
      return (response.json() as { points: unknown[] }).points
    }
    const scanned = () =>
      withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId, requestId: 'test' }, async (trx) => {
        const statement = await pipelineSeriesStatement(trx, pipelineId, normalize(org.id, pipelineId, input, 'sum'), ['amount'])
        const { rows } = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${statement}`.execute(trx)
        const names = JSON.stringify(rows[0]?.['QUERY PLAN']).match(/"Relation Name":"pipeline_data_\d{4}_\d{2}_\d{2}"/g) ?? []
        return names.map((name) => `ingest.${name.split(':')[1]!.replace(/"/g, '')}`)
      })
    const today = partitionOf(dayStart(now, 0))
    const before = await series()
    expect(before.length).toBeGreaterThan(0)
    expect(await scanned()).toEqual(expect.arrayContaining([partitionOf(day8), partitionOf(day6), partitionOf(day4), today]))

    const summary = await summarizeDayRanges(ctx.testDb.ownerUrl)
    expect(summary.partitions).toBeGreaterThanOrEqual(10)
    expect(await series()).toEqual(before)
    const pruned = await scanned()
    expect(pruned).toEqual(expect.arrayContaining([partitionOf(day6), today]))
    expect(pruned).not.toContain(partitionOf(day8))
    expect(pruned).not.toContain(partitionOf(day4))
    // A closed day without rows of the pipeline is left out too.
    expect(pruned).not.toContain(partitionOf(dayStart(now, 7)))

    // A write into a summarized partition (an operator's, say) undoes its summary: the row counts at once.
    await insert(new Date(day8.getTime() + 3_600_000), new Date(day6.getTime() + 3_600_000), 1000)
    expect(await scanned()).toEqual(expect.arrayContaining([partitionOf(day8)]))
    const after = (await series()) as Array<{ t: string; value: number }>
    expect(after.find((p) => p.t === new Date(day6.getTime() + 3_600_000).toISOString())?.value).toBeGreaterThanOrEqual(1000)
  })
})
