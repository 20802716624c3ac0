import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions } from '../timeseries/series.fixtures.ts'

/** GET …/dashboards/{id}/data shared by viewers of the same view, refreshed by ingest commits. */

let ctx: TestContext
let org: OrgFixture
let outsider: Session
let metricId: string
let dashboardId: string

const api = (path: string, who: Session, method: 'GET' | 'POST' = 'GET', payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1/orgs/${org.id}${path}`, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as object }) })

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  outsider = await registerUser(ctx.app)
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  metricId = await createMetric(ctx.admin, org.id, 'cache.orders', 'sum')
  dashboardId = (await api('/dashboards', org.owner, 'POST', { name: 'Cached' })).json().id
  const widget = await api(`/dashboards/${dashboardId}/widgets`, org.owner, 'POST', {
    type: 'stat_card', title: 'Orders', position: { x: 0, y: 0, w: 4, h: 2 }, dataQuery: { source: 'metric', metricId, bucket: '1h' },
  })
  expect(widget.statusCode, widget.body).toBe(201)
})
afterAll(async () => {
  await ctx?.close()
})

const total = (body: { widgets: Array<{ series?: { points: Array<{ value: number }> } }> }) =>
  (body.widgets[0]?.series?.points ?? []).reduce((sum, p) => sum + p.value, 0)

describe('dashboard data cache', () => {
  it('answers identical views once, and shows an ingested point on the next request', async () => {
    const from = new Date(Date.now() - 6 * 3_600_000).toISOString()
    const to = new Date(Date.now() + 3_600_000).toISOString()
    const view = `/dashboards/${dashboardId}/data?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
    const viewer = await addMember(ctx.app, org, 'viewer')

    const first = await api(view, org.owner)
    expect(first.statusCode, first.body).toBe(200)
    const second = await api(view, viewer)
    // The second viewer got the first answer: the same computation instant.
    expect(second.json().asOf).toBe(first.json().asOf)
    expect(total(first.json())).toBe(0)

    // Access is still checked for every viewer.
    expect((await api(view, outsider)).statusCode).toBe(404)

    const pushed = await api(`/metrics/${metricId}/points`, org.owner, 'POST', [{ timestamp: new Date().toISOString(), value: 7 }])
    expect(pushed.json(), pushed.body).toMatchObject({ accepted: 1 })
    // The commit's notification reaches the cache: the next answer is recomputed with the point.
    await expect.poll(async () => total((await api(view, viewer)).json()), { timeout: 5_000 }).toBe(7)
    expect((await api(view, viewer)).json().asOf).not.toBe(first.json().asOf)
  })

  it('shares one answer among the viewers of a public link, refreshed by ingest too', async () => {
    const link = await api(`/dashboards/${dashboardId}/public-link`, org.owner, 'POST', {})
    expect(link.statusCode, link.body).toBe(201)
    const view = () => ctx.app.inject({ method: 'GET', url: `/api/v1/public/dashboards/${link.json().token}/data` })
    const first = (await view()).json()
    expect((await view()).json().asOf).toBe(first.asOf)
    const before = total(first)
    const pushed = await api(`/metrics/${metricId}/points`, org.owner, 'POST', [{ timestamp: new Date().toISOString(), value: 5 }])
    expect(pushed.json()).toMatchObject({ accepted: 1 })
    await expect.poll(async () => total((await view()).json()), { timeout: 5_000 }).toBe(before + 5)
  })

  it('recomputes after the dashboard changes', async () => {
    const view = `/dashboards/${dashboardId}/data?range=24h`
    const before = (await api(view, org.owner)).json()
    expect(before.widgets).toHaveLength(1)
    const added = await api(`/dashboards/${dashboardId}/widgets`, org.owner, 'POST', { type: 'text', title: 'Notes', position: { x: 4, y: 0, w: 4, h: 2 }, config: { markdown: 'hi' } })
    expect(added.statusCode).toBe(201)
    expect((await api(view, org.owner)).json().widgets).toHaveLength(2)
  })

  it('takes a window ending now, and refuses it together with from or to', async () => {
    const answer = await api(`/dashboards/${dashboardId}/data?range=7d`, org.owner)
    expect(answer.statusCode, answer.body).toBe(200)
    const { from, to } = answer.json()
    expect(Date.parse(to) - Date.parse(from)).toBe(7 * 86_400_000)
    expect(Math.abs(Date.parse(to) - Date.now())).toBeLessThan(60_000)
    const both = await api(`/dashboards/${dashboardId}/data?range=7d&from=${encodeURIComponent(from)}`, org.owner)
    expect(both.statusCode).toBe(400)
    expect(both.json().error.code).toBe('invalid_time_range')
    expect((await api(`/dashboards/${dashboardId}/data?range=7y`, org.owner)).statusCode).toBe(400)
  })
})
