import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx.close()
})

const url = (rest = '') => `/api/v1/orgs/${org.id}${rest}`
const create = (payload: Record<string, unknown>, headers = org.owner.headers) => ctx.app.inject({ method: 'POST', url: url('/metrics'), headers, payload })

describe('metrics CRUD', () => {
  it('creates a metric from the contract fields with the seed defaults, reads, lists, updates and deletes it', async () => {
    const created = await create({ name: 'orders.count', displayName: 'Orders', unit: 'count', aggregationType: 'sum' })
    expect(created.statusCode).toBe(201)
    const metric = created.json()
    expect(metric).toMatchObject({ name: 'orders.count', displayName: 'Orders', source: 'push', refreshFrequency: 300, thresholds: {}, tags: [], isActive: true, compressAfterDays: null })
    expect((await ctx.app.inject({ method: 'GET', url: url(`/metrics/${metric.id}`), headers: org.owner.headers })).json()).toEqual(metric)

    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: url(`/metrics/${metric.id}`),
      headers: org.owner.headers,
      payload: { tags: ['sales', 'core'], thresholds: { warning: 10, critical: 20, direction: 'above' }, description: 'All orders', rawRetentionDays: 90 },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ tags: ['sales', 'core'], thresholds: { warning: 10, critical: 20, direction: 'above' }, rawRetentionDays: 90 })

    await create({ name: 'latency.p95', displayName: 'Latency p95', unit: 'seconds', aggregationType: 'max', tags: ['ops'] })
    const byTag = (await ctx.app.inject({ method: 'GET', url: url('/metrics?tag=sales'), headers: org.owner.headers })).json()
    expect(byTag.metrics.map((m: { name: string }) => m.name)).toEqual(['orders.count'])
    const bySearch = (await ctx.app.inject({ method: 'GET', url: url('/metrics?search=LATENCY'), headers: org.owner.headers })).json()
    expect(bySearch.metrics.map((m: { name: string }) => m.name)).toEqual(['latency.p95'])

    // Its points (raw and late) go with it, in the same transaction.
    await ctx.admin.query(`insert into ts.time_series_data ("timestamp", metric_id, organization_id, value) values (now(), $1, $2, 1)`, [metric.id, org.id])
    await ctx.admin.query(`insert into ts.time_series_late ("timestamp", metric_id, organization_id, value) values (now() - interval '400 days', $1, $2, 1)`, [metric.id, org.id])
    const deleted = await ctx.app.inject({ method: 'DELETE', url: url(`/metrics/${metric.id}`), headers: org.owner.headers })
    expect(deleted.statusCode).toBe(204)
    const left = await ctx.admin.query(
      `select (select count(*) from ts.time_series_data where metric_id = $1)::int + (select count(*) from ts.time_series_late where metric_id = $1)::int as n`,
      [metric.id],
    )
    expect(left.rows[0].n).toBe(0)
    expect((await ctx.app.inject({ method: 'GET', url: url(`/metrics/${metric.id}`), headers: org.owner.headers })).statusCode).toBe(404)
  })

  it('validates per source and refuses a duplicate name', async () => {
    const expectInvalid = async (payload: Record<string, unknown>, field: string) => {
      const response = await create({ displayName: 'X', ...payload })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.body).toContain(field)
    }
    await expectInvalid({ name: 'p1', source: 'pipeline', valuePath: '$.n' }, 'pipelineId')
    const pipeline = await createPipeline(ctx.app, org)
    await expectInvalid({ name: 'p2', source: 'pipeline', pipelineId: pipeline.id }, 'valuePath')
    await expectInvalid({ name: 'p3', source: 'pipeline', pipelineId: pipeline.id, valuePath: 'amount' }, 'valuePath')
    await expectInvalid({ name: 'p4', source: 'pipeline', pipelineId: pipeline.id, valuePath: '$.a', dimensionPaths: { region: 'x' } }, 'dimensionPaths.region')
    await expectInvalid({ name: 'd1', source: 'data_source', calculationMethod: 'select 1 as value' }, 'dataSourceId')
    await expectInvalid({ name: 'bad name!' }, 'name')
    await expectInvalid({ name: 't1', thresholds: { warning: 20, critical: 10 } }, 'thresholds')
    await expectInvalid({ name: 'a1', aggregationType: 'median' }, 'aggregationType')

    const ok = await create({ name: 'amount', displayName: 'Amount', source: 'pipeline', pipelineId: pipeline.id, valuePath: '$.amount', dimensionPaths: { region: '$.region' } })
    expect(ok.statusCode).toBe(201)
    const duplicate = await create({ name: 'amount', displayName: 'Again' })
    expect(duplicate.statusCode).toBe(409)
    expect(duplicate.json().error.code).toBe('conflict')
  })

  it('lets members write, viewers and read keys only read', async () => {
    const member = await addMember(ctx.app, org, 'member')
    const viewer = await addMember(ctx.app, org, 'viewer')
    expect((await create({ name: 'by.member', displayName: 'M' }, member.headers)).statusCode).toBe(201)
    const refused = await create({ name: 'by.viewer', displayName: 'V' }, viewer.headers)
    expect(refused.statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: url('/metrics'), headers: viewer.headers })).statusCode).toBe(200)
    const readKey = await createApiKey(ctx.app, org, ['read'])
    expect((await ctx.app.inject({ method: 'GET', url: url('/metrics'), headers: bearer(readKey.key) })).statusCode).toBe(200)
    expect((await ctx.app.inject({ method: 'POST', url: url('/metrics'), headers: bearer(readKey.key), payload: { name: 'k', displayName: 'K' } })).statusCode).toBe(401)
    const ingestKey = await createApiKey(ctx.app, org, ['ingest'])
    expect((await ctx.app.inject({ method: 'GET', url: url('/metrics'), headers: bearer(ingestKey.key) })).statusCode).toBe(403)
  })
})

describe('KPIs', () => {
  it('creates, lists by metric, updates and deletes KPIs, checking targets per type', async () => {
    const metric = (await create({ name: 'revenue', displayName: 'Revenue', unit: 'currency' })).json()
    const kpi = await ctx.app.inject({
      method: 'POST',
      url: url('/kpis'),
      headers: org.owner.headers,
      payload: { metricId: metric.id, name: 'Monthly revenue', targetValue: 1000, targetType: 'minimum', timePeriod: 'monthly', alertRules: { notify: ['email'] } },
    })
    expect(kpi.statusCode).toBe(201)
    expect(kpi.json()).toMatchObject({ metricId: metric.id, targetValue: 1000, targetMax: null, targetType: 'minimum', timePeriod: 'monthly', alertRules: { notify: ['email'] } })
    const id = kpi.json().id

    const noMax = await ctx.app.inject({ method: 'PATCH', url: url(`/kpis/${id}`), headers: org.owner.headers, payload: { targetType: 'range' } })
    expect(noMax.statusCode).toBe(400)
    expect(noMax.body).toContain('targetMax')
    const inverted = await ctx.app.inject({ method: 'PATCH', url: url(`/kpis/${id}`), headers: org.owner.headers, payload: { targetType: 'range', targetMax: 10 } })
    expect(inverted.statusCode).toBe(400)
    const range = await ctx.app.inject({ method: 'PATCH', url: url(`/kpis/${id}`), headers: org.owner.headers, payload: { targetType: 'range', targetMax: 2000.5 } })
    expect(range.json()).toMatchObject({ targetType: 'range', targetValue: 1000, targetMax: 2000.5 })

    const listed = (await ctx.app.inject({ method: 'GET', url: url(`/kpis?metricId=${metric.id}`), headers: org.owner.headers })).json()
    expect(listed.kpis.map((k: { id: string }) => k.id)).toEqual([id])
    const otherMetric = await ctx.app.inject({ method: 'POST', url: url('/kpis'), headers: org.owner.headers, payload: { metricId: '00000000-0000-4000-8000-000000000000', name: 'X', targetValue: 1 } })
    expect(otherMetric.statusCode).toBe(400)

    // Deleting the metric deletes its KPIs (foreign key cascade).
    await ctx.app.inject({ method: 'DELETE', url: url(`/metrics/${metric.id}`), headers: org.owner.headers })
    expect((await ctx.app.inject({ method: 'GET', url: url(`/kpis/${id}`), headers: org.owner.headers })).statusCode).toBe(404)
  })
})
