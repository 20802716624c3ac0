import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions, insertBatch, type Point } from '../timeseries/series.fixtures.ts'

/** POST /widgets/preview: a widget's data query answered by the series engine, or its error state. */

const HOUR = 3_600_000
let ctx: TestContext
let org: OrgFixture
let other: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  other = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

const hour = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR
const range = { from: new Date(hour).toISOString(), to: new Date(hour + 2 * HOUR).toISOString() }
const point = (offsetMinutes: number, value: number, dims: Record<string, string>): Point => ({ ts: new Date(hour + offsetMinutes * 60_000), value: value.toFixed(4), dims })

async function preview(body: Record<string, unknown>, as: OrgFixture = org) {
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${as.id}/widgets/preview`, headers: as.owner.headers, payload: body })
  return { status: response.statusCode, body: response.json() }
}

describe('POST /orgs/:orgId/widgets/preview', () => {
  it('answers a metric query grouped by a dimension and filtered, as the series API would', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'orders', 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [
      point(5, 2, { store: 'north', channel: 'web' }),
      point(10, 3, { store: 'south', channel: 'web' }),
      point(70, 4, { store: 'north', channel: 'shop' }),
    ])
    const grouped = await preview({ dataQuery: { source: 'metric', metricId, bucket: '1h', groupBy: 'store' }, ...range })
    expect(grouped.status, JSON.stringify(grouped.body)).toBe(200)
    expect(grouped.body.status).toBe('ok')
    expect(grouped.body.series.points.map((p: { t: string; group: string; value: number }) => [p.t, p.group, p.value])).toEqual([
      [new Date(hour).toISOString(), 'north', 2],
      [new Date(hour).toISOString(), 'south', 3],
      [new Date(hour + HOUR).toISOString(), 'north', 4],
    ])
    const filtered = await preview({ dataQuery: { source: 'metric', metricId, bucket: '1h', aggregation: 'max', filters: { channel: 'web' } }, ...range })
    expect(filtered.body.series.points.map((p: { value: number }) => p.value)).toEqual([3])
  })

  it('answers a pipeline field query', async () => {
    const pipelineId = (await createPipeline(ctx.app, org)).id
    for (const [minutes, amount] of [[1, 5], [2, 7], [65, 1]] as const) {
      await ctx.admin.query('insert into ingest.pipeline_data (pipeline_id, organization_id, data, record_time) values ($1, $2, $3, $4)',
        [pipelineId, org.id, JSON.stringify({ amount }), new Date(hour + minutes * 60_000)])
    }
    const answer = await preview({ dataQuery: { source: 'pipeline', pipelineId, field: 'amount', aggregation: 'sum', bucket: '1h' }, ...range })
    expect(answer.body.series.points.map((p: { value: number }) => p.value)).toEqual([12, 1])
  })

  it("shows a missing or foreign source, or a bad range, as the widget's error state; refuses a malformed query with 400", async () => {
    const foreign = await createMetric(ctx.admin, other.id, 'theirs')
    expect((await preview({ dataQuery: { source: 'metric', metricId: foreign }, ...range })).body).toEqual({
      status: 'error', error: { code: 'not_found', message: expect.any(String) },
    })
    const metricId = await createMetric(ctx.admin, org.id, 'range')
    const reversed = await preview({ dataQuery: { source: 'metric', metricId }, from: range.to, to: range.from })
    expect(reversed.body).toMatchObject({ status: 'error', error: { code: 'invalid_time_range' } })
    const badTz = await preview({ dataQuery: { source: 'metric', metricId, bucket: '1d' }, ...range, tz: 'Mars/Olympus' })
    expect(badTz.body).toMatchObject({ status: 'error', error: { code: 'invalid_time_zone' } })
    for (const dataQuery of [{ source: 'sql', text: 'select 1' }, { source: 'metric', metricId: 'nope' }, { source: 'metric', metricId, bucket: '2h' }]) {
      const response = await preview({ dataQuery, ...range })
      expect(response.status, JSON.stringify(dataQuery)).toBe(400)
      expect(response.body.error.code).toBe('validation_failed')
    }
  })

  it('lets a viewer preview, and hides another organization from a non-member (404)', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'viewed')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const asViewer = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/widgets/preview`, headers: viewer.headers, payload: { dataQuery: { source: 'metric', metricId }, ...range } })
    expect(asViewer.statusCode).toBe(200)
    expect((await preview({ dataQuery: { source: 'metric', metricId }, ...range }, { ...other, id: org.id })).status).toBe(404)
  })
})
