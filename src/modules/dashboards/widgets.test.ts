import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions, insertBatch, type Point } from '../timeseries/series.fixtures.ts'

/** Widgets of a dashboard (add, change, remove, save the grid) and the dashboard data endpoint, on real PostgreSQL. */

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

// Inside the default range (the last 24 hours).
const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR
const point = (offsetMinutes: number, value: number, dims: Record<string, string>): Point => ({ ts: new Date(hour + offsetMinutes * 60_000), value: value.toFixed(4), dims })

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
const call = (method: Method, path: string, who: Session = org.owner, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1/orgs/${org.id}/dashboards${path}`, headers: who.headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) })

async function dashboard(name: string, who: Session = org.owner): Promise<string> {
  const response = await call('POST', '', who, { name })
  expect(response.statusCode, response.body).toBe(201)
  return response.json().id
}

async function addWidget(dashboardId: string, body: Record<string, unknown>, who: Session = org.owner) {
  const response = await call('POST', `/${dashboardId}/widgets`, who, body)
  return { status: response.statusCode, body: response.json() }
}

const pos = (x: number, y: number, w: number, h: number) => ({ x, y, w, h })
const text = (markdown = '# Notes') => ({ type: 'text', title: 'Notes', position: pos(0, 0, 4, 2), config: { markdown } })

describe('dashboard widgets', () => {
  it('adds a line chart, a stat card and a text widget; changes and removes them', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'widgets.orders', 'sum')
    const id = await dashboard('Widgets')
    const line = await addWidget(id, { type: 'line_chart', title: 'Orders', description: 'per hour', position: pos(0, 0, 8, 4), dataQuery: { source: 'metric', metricId, bucket: '1h', groupBy: 'region' } })
    expect(line.status, JSON.stringify(line.body)).toBe(201)
    expect(line.body).toMatchObject({ dashboardId: id, type: 'line_chart', title: 'Orders', description: 'per hour', position: pos(0, 0, 8, 4), config: {}, dataQuery: { source: 'metric', metricId, bucket: '1h' } })
    const stat = await addWidget(id, { type: 'stat_card', title: 'Total', position: pos(8, 0, 4, 2), config: { unit: 'orders' }, dataQuery: { source: 'metric', metricId, aggregation: 'sum' } })
    expect(stat.status, JSON.stringify(stat.body)).toBe(201)
    const note = await addWidget(id, text('Hello **world**'))
    expect(note.status, JSON.stringify(note.body)).toBe(201)
    expect(note.body).toMatchObject({ type: 'text', config: { markdown: 'Hello **world**' }, dataQuery: null })
    const image = await addWidget(id, { type: 'image', title: 'Logo', position: pos(0, 4, 2, 2), config: { url: 'https://example.com/logo.png' } })
    expect(image.status, JSON.stringify(image.body)).toBe(201)

    const patched = await call('PATCH', `/${id}/widgets/${line.body.id}`, org.owner, { title: 'Orders by region', position: pos(0, 2, 6, 5) })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ title: 'Orders by region', position: pos(0, 2, 6, 5), dataQuery: { metricId } })
    // A chart cannot lose its query; turned into a text widget it must.
    const noQuery = await call('PATCH', `/${id}/widgets/${stat.body.id}`, org.owner, { dataQuery: null })
    expect(noQuery.statusCode).toBe(400)
    expect(noQuery.json().error.details).toEqual([{ field: 'dataQuery', message: expect.any(String) }])
    const toText = await call('PATCH', `/${id}/widgets/${stat.body.id}`, org.owner, { type: 'text', config: { markdown: 'now text' }, dataQuery: null })
    expect(toText.statusCode, toText.body).toBe(200)
    expect(toText.json()).toMatchObject({ type: 'text', dataQuery: null })

    expect((await call('DELETE', `/${id}/widgets/${image.body.id}`)).statusCode).toBe(204)
    expect((await call('DELETE', `/${id}/widgets/${image.body.id}`)).statusCode).toBe(404)
    expect((await call('PATCH', `/${id}/widgets/${image.body.id}`, org.owner, { title: 'gone' })).statusCode).toBe(404)
    const list = await call('GET', `/${id}/widgets`)
    expect(list.json().widgets.map((w: { title: string }) => w.title)).toEqual(['Orders by region', 'Total', 'Notes'])
    // A widget of another dashboard is not reachable through this one.
    const otherId = await dashboard('Other')
    expect((await call('PATCH', `/${otherId}/widgets/${line.body.id}`, org.owner, { title: 'x' })).statusCode).toBe(404)
  })

  it('refuses bad positions, configs, urls and sources with 400 and field-level details', async () => {
    const id = await dashboard('Validation')
    const metricId = await createMetric(ctx.admin, org.id, 'widgets.valid')
    const foreignMetric = await createMetric(ctx.admin, other.id, 'widgets.foreign')
    const cases: [Record<string, unknown>, string | null][] = [
      [{ ...text(), position: pos(8, 0, 6, 2) }, 'position'],
      [{ ...text(), position: pos(-1, 0, 2, 2) }, null],
      [{ ...text(), position: pos(0, 0, 0, 2) }, null],
      [{ ...text(), position: pos(0, 0, 13, 2) }, null],
      [{ ...text(), position: pos(0, -1, 2, 2) }, null],
      [{ ...text(), position: pos(0, 0, 2, 51) }, null],
      [{ ...text(), position: pos(0, 0, 2, 0) }, null],
      [{ ...text(), position: { x: 0, y: 0, w: 2 } }, null],
      [{ ...text(), config: {} }, 'config/markdown'],
      [{ ...text(), config: { markdown: 'x'.repeat(20_001) } }, 'config/markdown'],
      [{ ...text(), dataQuery: { source: 'metric', metricId } }, 'dataQuery'],
      [{ type: 'image', title: 'i', position: pos(0, 0, 2, 2), config: { url: 'javascript:alert(1)' } }, 'config/url'],
      [{ type: 'image', title: 'i', position: pos(0, 0, 2, 2), config: { url: 'ftp://example.com/a.png' } }, 'config/url'],
      [{ type: 'image', title: 'i', position: pos(0, 0, 2, 2), config: { url: 'not a url' } }, 'config/url'],
      [{ type: 'image', title: 'i', position: pos(0, 0, 2, 2) }, 'config/url'],
      [{ type: 'line_chart', title: 'c', position: pos(0, 0, 6, 4) }, 'dataQuery'],
      [{ type: 'line_chart', title: 'c', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId: '00000000-0000-4000-8000-000000000000' } }, 'dataQuery/metricId'],
      [{ type: 'line_chart', title: 'c', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId: foreignMetric } }, 'dataQuery/metricId'],
      [{ type: 'table', title: 'c', position: pos(0, 0, 6, 4), dataQuery: { source: 'pipeline', pipelineId: '00000000-0000-4000-8000-000000000000' } }, 'dataQuery/pipelineId'],
      [{ type: 'line_chart', title: 'c', position: pos(0, 0, 6, 4), dataQuery: { source: 'sql', text: 'select 1' } }, null],
      [{ type: 'line_chart', title: 'c', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId, bucket: '2h' } }, null],
      [{ type: 'gauge', title: 'c', position: pos(0, 0, 6, 4) }, null],
      [{ ...text(), title: '   ' }, 'title'],
    ]
    for (const [body, field] of cases) {
      const response = await addWidget(id, body)
      expect(response.status, JSON.stringify(body).slice(0, 200)).toBe(400)
      expect(response.body.error.code).toBe('validation_failed')
      if (field) expect(response.body.error.details, JSON.stringify(body).slice(0, 200)).toEqual([{ field, message: expect.any(String) }])
    }
    expect((await call('GET', `/${id}/widgets`)).json().widgets).toEqual([])
    // Edges of the grid are fine.
    expect((await addWidget(id, { ...text(), position: pos(11, 0, 1, 50) })).status).toBe(201)
    expect((await addWidget(id, { ...text(), position: pos(0, 0, 12, 1) })).status).toBe(201)
  })

  it('needs edit permission to change widgets and view permission to read data; a hidden dashboard is 404', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'widgets.perm')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const editor = await addMember(ctx.app, org, 'member')
    const looker = await addMember(ctx.app, org, 'member')
    const outsider = await addMember(ctx.app, org, 'member')
    const id = await dashboard('Restricted')
    const widget = (await addWidget(id, text())).body
    const granted = await call('PUT', `/${id}/permissions`, org.owner, { permissions: [{ userId: editor.userId, permission: 'edit' }, { userId: looker.userId, permission: 'view' }, { userId: viewer.userId, permission: 'edit' }] })
    expect(granted.statusCode, granted.body).toBe(200)

    expect((await addWidget(id, text(), editor)).status).toBe(201)
    expect((await call('PUT', `/${id}/layout`, editor, { items: [{ widgetId: widget.id, x: 1, y: 1, w: 2, h: 2 }] })).statusCode).toBe(200)
    for (const who of [looker, viewer]) {
      const denied = await addWidget(id, text(), who)
      expect(denied.status).toBe(403)
      expect(denied.body.error.code).toBe('forbidden')
      expect((await call('PATCH', `/${id}/widgets/${widget.id}`, who, { title: 'x' })).statusCode).toBe(403)
      expect((await call('DELETE', `/${id}/widgets/${widget.id}`, who)).statusCode).toBe(403)
      expect((await call('PUT', `/${id}/layout`, who, { items: [] })).statusCode).toBe(403)
      expect((await call('GET', `/${id}/data`, who)).statusCode).toBe(200)
      expect((await call('GET', `/${id}/widgets`, who)).statusCode).toBe(200)
    }
    for (const [method, path, body] of [
      ['POST', `/${id}/widgets`, text()],
      ['PATCH', `/${id}/widgets/${widget.id}`, { title: 'x' }],
      ['DELETE', `/${id}/widgets/${widget.id}`, undefined],
      ['PUT', `/${id}/layout`, { items: [] }],
      ['GET', `/${id}/data`, undefined],
      ['GET', `/${id}/widgets`, undefined],
    ] as [Method, string, unknown][]) {
      const response = await call(method, path, outsider, body)
      expect(response.statusCode, `${method} ${path}`).toBe(404)
      expect(response.body).not.toContain(widget.id)
    }
    // A deleted dashboard's widgets are gone with it (404 until restored).
    expect((await call('DELETE', `/${id}`)).statusCode).toBe(204)
    expect((await addWidget(id, { type: 'line_chart', title: 'c', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId } })).status).toBe(404)
  })

  it('saves a layout atomically: one bad item refuses the whole save', async () => {
    const id = await dashboard('Layout')
    const a = (await addWidget(id, { ...text('a'), position: pos(0, 0, 4, 2) })).body
    const b = (await addWidget(id, { ...text('b'), position: pos(4, 0, 4, 2) })).body
    const c = (await addWidget(id, { ...text('c'), position: pos(8, 0, 4, 2) })).body
    const elsewhere = (await addWidget(await dashboard('Elsewhere'), text())).body
    const positions = async () => Object.fromEntries((await call('GET', `/${id}/widgets`)).json().widgets.map((w: { id: string; position: unknown }) => [w.id, w.position]))
    const before = await positions()

    const bad: unknown[][] = [
      [{ widgetId: a.id, x: 0, y: 2, w: 4, h: 2 }, { widgetId: b.id, x: 10, y: 0, w: 4, h: 2 }],
      [{ widgetId: a.id, x: 0, y: 2, w: 4, h: 2 }, { widgetId: elsewhere.id, x: 0, y: 0, w: 4, h: 2 }],
      [{ widgetId: a.id, x: 0, y: 2, w: 4, h: 2 }, { widgetId: a.id, x: 0, y: 4, w: 4, h: 2 }],
      [{ widgetId: a.id, x: 0, y: 2, w: 4, h: 2 }, { widgetId: b.id, x: 0, y: 0, w: 4, h: 51 }],
    ]
    for (const items of bad) {
      const response = await call('PUT', `/${id}/layout`, org.owner, { items })
      expect(response.statusCode, JSON.stringify(items)).toBe(400)
      expect(response.json().error.code).toBe('validation_failed')
      expect(await positions()).toEqual(before)
    }
    const details = (await call('PUT', `/${id}/layout`, org.owner, { items: bad[0] })).json().error.details
    expect(details).toEqual([{ field: 'items/1', message: expect.any(String) }])

    const saved = await call('PUT', `/${id}/layout`, org.owner, { items: [{ widgetId: a.id, x: 0, y: 2, w: 12, h: 3 }, { widgetId: b.id, x: 6, y: 0, w: 6, h: 2 }] })
    expect(saved.statusCode, saved.body).toBe(200)
    expect(await positions()).toEqual({ [a.id]: pos(0, 2, 12, 3), [b.id]: pos(6, 0, 6, 2), [c.id]: pos(8, 0, 4, 2) })
  })
})

describe('GET /dashboards/:id/data', () => {
  it("answers every widget: series for charts, static for text, an error for a deleted metric; applies the dashboard's filters", async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'data.orders', 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [
      point(5, 2, { region: 'eu' }),
      point(10, 3, { region: 'us' }),
      point(70, 4, { region: 'eu' }),
    ])
    const doomed = await createMetric(ctx.admin, org.id, 'data.doomed')
    const id = await dashboard('Data')
    const line = (await addWidget(id, { type: 'line_chart', title: 'Orders', position: pos(0, 0, 8, 4), dataQuery: { source: 'metric', metricId, bucket: '1h' } })).body
    const stat = (await addWidget(id, { type: 'stat_card', title: 'US', position: pos(8, 0, 4, 2), dataQuery: { source: 'metric', metricId, bucket: '1d', filters: { region: 'us' } } })).body
    const note = (await addWidget(id, text())).body
    const broken = (await addWidget(id, { type: 'bar_chart', title: 'Doomed', position: pos(0, 4, 6, 4), dataQuery: { source: 'metric', metricId: doomed } })).body
    expect([line.id, stat.id, note.id, broken.id].every(Boolean)).toBe(true)
    const deleted = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/metrics/${doomed}`, headers: org.owner.headers })
    expect(deleted.statusCode, deleted.body).toBe(204)

    const values = (answer: { series: { points: { value: number }[] } }) => answer.series.points.map((p) => p.value)
    const response = await call('GET', `/${id}/data`)
    expect(response.statusCode, response.body).toBe(200)
    const data = response.json()
    expect(Date.parse(data.to) - Date.parse(data.from)).toBe(24 * HOUR)
    expect(Date.parse(data.asOf)).toBeGreaterThan(Date.now() - 60_000)
    const byId = Object.fromEntries(data.widgets.map((w: { id: string }) => [w.id, w]))
    expect(data.widgets.map((w: { id: string }) => w.id)).toEqual([line.id, stat.id, note.id, broken.id])
    expect(byId[line.id].status).toBe('ok')
    expect(values(byId[line.id])).toEqual([5, 4])
    expect(byId[stat.id].status).toBe('ok')
    expect(values(byId[stat.id]).reduce((a: number, b: number) => a + b, 0)).toBe(3)
    expect(byId[note.id]).toEqual({ id: note.id, status: 'static' })
    expect(byId[broken.id]).toMatchObject({ status: 'error', error: { code: 'not_found' } })

    // The dashboard's filter applies to widgets without their own filter on that dimension.
    expect((await call('PATCH', `/${id}`, org.owner, { filters: { region: 'eu' } })).statusCode).toBe(200)
    const filtered = (await call('GET', `/${id}/data`)).json()
    const filteredById = Object.fromEntries(filtered.widgets.map((w: { id: string }) => [w.id, w]))
    expect(values(filteredById[line.id])).toEqual([2, 4])
    expect(values(filteredById[stat.id]).reduce((a: number, b: number) => a + b, 0)).toBe(3)

    // A view's own filters (the address, a cross-filter click) replace the saved ones.
    const viewed = (await call('GET', `/${id}/data?filters=${encodeURIComponent('{"region":"us"}')}`)).json()
    expect(values(viewed.widgets.find((w: { id: string }) => w.id === line.id))).toEqual([3])
    const unfiltered = (await call('GET', `/${id}/data?filters=${encodeURIComponent('{}')}`)).json()
    expect(values(unfiltered.widgets.find((w: { id: string }) => w.id === line.id))).toEqual([5, 4])
    for (const bad of ['{region', '["eu"]', '{"region":1}']) {
      const refused = await call('GET', `/${id}/data?filters=${encodeURIComponent(bad)}`)
      expect(refused.statusCode, bad).toBe(400)
      expect(refused.json().error.code).toBe('invalid_filters')
    }

    // An explicit range; a reversed one is each widget's error state, not a 5xx.
    const from = new Date(hour + HOUR).toISOString()
    const to = new Date(hour + 2 * HOUR).toISOString()
    const ranged = (await call('GET', `/${id}/data?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json()
    expect(ranged).toMatchObject({ from, to })
    expect(values(ranged.widgets.find((w: { id: string }) => w.id === line.id))).toEqual([4])
    const reversed = await call('GET', `/${id}/data?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`)
    expect(reversed.statusCode).toBe(200)
    expect(reversed.json().widgets.find((w: { id: string }) => w.id === line.id)).toMatchObject({ status: 'error', error: { code: 'invalid_time_range' } })
    expect((await call('GET', `/${id}/data?from=yesterday`)).statusCode).toBe(400)
  })
})
