import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions, insertBatch, type Point } from '../timeseries/series.fixtures.ts'
import { pdfPageCount, pdfText, unzip } from './export.fixtures.ts'

/** Widget CSV/XLSX downloads and the dashboard PDF over HTTP, on real PostgreSQL. */

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

const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR
const iso = (ms: number) => new Date(ms).toISOString()
const point = (offsetMinutes: number, value: number, dims: Record<string, string>): Point => ({ ts: new Date(hour + offsetMinutes * 60_000), value: value.toFixed(4), dims })
const range = `from=${encodeURIComponent(iso(hour - HOUR))}&to=${encodeURIComponent(iso(hour + 3 * HOUR))}`
const pos = (x: number, y: number, w: number, h: number) => ({ x, y, w, h })

const get = (path: string, who: Session = org.owner, orgId = org.id) => ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/dashboards${path}`, headers: who.headers })

async function dashboard(name: string): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/dashboards`, headers: org.owner.headers, payload: { name } })
  expect(response.statusCode, response.body).toBe(201)
  return response.json().id
}

async function widget(dashboardId: string, body: Record<string, unknown>): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/widgets`, headers: org.owner.headers, payload: body })
  expect(response.statusCode, response.body).toBe(201)
  return response.json().id
}

async function ordersMetric(name: string): Promise<string> {
  const metricId = await createMetric(ctx.admin, org.id, name, 'sum')
  await insertBatch(ctx.admin, org.id, metricId, [
    point(5, 2, { region: 'eu' }),
    point(10, 3, { region: '=HYPERLINK("http://evil.example","x")' }),
    point(70, 4, { region: 'eu' }),
  ])
  return metricId
}

const exportCount = async (dashboardId: string) =>
  Number((await ctx.admin.query(`select count(*) from telemetry.dashboard_usage_logs where dashboard_id = $1 and action = 'export'`, [dashboardId])).rows[0].count)

describe('GET …/widgets/:widgetId/export', () => {
  it('downloads a series as CSV: one row per bucket, grouped with a group column, formulas defused', async () => {
    const metricId = await ordersMetric('export.orders')
    const id = await dashboard('Exports')
    const line = await widget(id, { type: 'line_chart', title: 'Orders: EU/US', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId, bucket: '1h' } })
    const bars = await widget(id, { type: 'bar_chart', title: 'By region', position: pos(6, 0, 6, 4), dataQuery: { source: 'metric', metricId, bucket: '1h', groupBy: 'region' } })

    const plain = await get(`/${id}/widgets/${line}/export?format=csv&${range}`)
    expect(plain.statusCode, plain.body).toBe(200)
    expect(plain.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(plain.headers['content-disposition']).toBe(`attachment; filename="orders-eu-us.csv"; filename*=UTF-8''Orders%20EU%20US.csv`)
    expect(plain.body).toBe(`time,value,count,min,max\r\n${iso(hour)},5,2,2,3\r\n${iso(hour + HOUR)},4,1,4,4\r\n`)

    const grouped = await get(`/${id}/widgets/${bars}/export?${range}`)
    expect(grouped.statusCode, grouped.body).toBe(200)
    const rows = grouped.body.split('\r\n')
    expect(rows[0]).toBe('time,group,value,count,min,max')
    expect(rows.slice(1).sort()).toEqual([
      '',
      `${iso(hour)},"'=HYPERLINK(""http://evil.example"",""x"")",3,1,3,3`,
      `${iso(hour)},eu,2,1,2,2`,
      `${iso(hour + HOUR)},eu,4,1,4,4`,
    ].sort())

    // The view's filters and time zone apply as on screen.
    const filtered = await get(`/${id}/widgets/${bars}/export?${range}&tz=Asia/Kolkata&filters=${encodeURIComponent('{"region":"eu"}')}`)
    expect(filtered.statusCode, filtered.body).toBe(200)
    const local = (ms: number) => `${new Date(ms + 5.5 * HOUR).toISOString().slice(0, 23)}+05:30`
    expect(filtered.body).toBe(`time,group,value,count,min,max\r\n${local(hour)},eu,2,1,2,2\r\n${local(hour + HOUR)},eu,4,1,4,4\r\n`)
    // A window ending now, as the dashboard's relative time ranges ask for it.
    const relative = await get(`/${id}/widgets/${line}/export?range=24h`)
    expect(relative.statusCode, relative.body).toBe(200)
    expect(relative.body).toBe(plain.body)
    expect((await get(`/${id}/widgets/${line}/export?range=24h&${range}`)).json().error.code).toBe('invalid_time_range')
    expect(await exportCount(id)).toBe(4)
  })

  it('downloads XLSX: a header row, times as dates, numbers as numbers', async () => {
    const metricId = await ordersMetric('export.xlsx')
    const id = await dashboard('Workbook')
    const line = await widget(id, { type: 'table', title: 'Orders table', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId, bucket: '1h' } })
    const response = await get(`/${id}/widgets/${line}/export?format=xlsx&${range}`)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(response.headers['content-disposition']).toContain('filename="orders-table.xlsx"')
    const files = unzip(response.rawPayload)
    const sheet = files.get('xl/worksheets/sheet1.xml')!.toString('utf8')
    const strings = [...files.get('xl/sharedStrings.xml')!.toString('utf8').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1])
    expect(strings).toEqual(['time (UTC)', 'value', 'count', 'min', 'max'])
    const cells = Object.fromEntries([...sheet.matchAll(/<c r="([A-Z]+\d+)"([^>]*)>(?:<v>([^<]*)<\/v>)?<\/c>/g)].map((m) => [m[1], { attrs: m[2]!, v: m[3] }]))
    expect(Number(cells.A2!.v)).toBeCloseTo(hour / 86_400_000 + 25_569, 9)
    expect(cells.A2!.attrs).toMatch(/^ s="\d+"$/)
    expect(cells.B2).toEqual({ attrs: '', v: '5' })
    expect(cells.C2).toEqual({ attrs: '', v: '2' })
    expect(Number(cells.A3!.v)).toBeCloseTo((hour + HOUR) / 86_400_000 + 25_569, 9)
    expect(cells.B3).toEqual({ attrs: '', v: '4' })
  })

  it('refuses text and image widgets (400), a widget in an error state (422 with its error), an unknown widget (404)', async () => {
    const doomed = await createMetric(ctx.admin, org.id, 'export.doomed')
    const id = await dashboard('Refusals')
    const note = await widget(id, { type: 'text', title: 'Notes', position: pos(0, 0, 4, 2), config: { markdown: '# hi' } })
    const image = await widget(id, { type: 'image', title: 'Logo', position: pos(4, 0, 4, 2), config: { url: 'https://example.com/logo.png' } })
    const broken = await widget(id, { type: 'line_chart', title: 'Broken', position: pos(0, 2, 6, 4), dataQuery: { source: 'metric', metricId: doomed } })
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/metrics/${doomed}`, headers: org.owner.headers })).statusCode).toBe(204)

    for (const staticWidget of [note, image]) {
      const response = await get(`/${id}/widgets/${staticWidget}/export?format=csv`)
      expect(response.statusCode).toBe(400)
      expect(response.json().error.code).toBe('widget_has_no_data')
    }
    const failed = await get(`/${id}/widgets/${broken}/export?format=xlsx`)
    expect(failed.statusCode).toBe(422)
    expect(failed.json().error).toMatchObject({ code: 'widget_data_error', message: expect.stringContaining('Broken'), details: { widgetError: { code: 'not_found' } } })
    expect((await get(`/${id}/widgets/00000000-0000-4000-8000-000000000000/export`)).statusCode).toBe(404)
    expect((await get(`/${id}/widgets/${broken}/export?format=pdf`)).statusCode).toBe(400)
    expect((await get(`/${id}/widgets/${broken}/export?tz=Mars/Olympus`)).json().error.code).toBe('invalid_time_zone')
    expect(await exportCount(id)).toBe(0)
  })
})

describe('GET …/export.pdf', () => {
  it('renders every kind of widget, an error box for a failing one, and the widget titles', async () => {
    const metricId = await ordersMetric('export.pdf')
    const doomed = await createMetric(ctx.admin, org.id, 'export.pdf.doomed')
    const id = await dashboard('Operations review')
    const query = { source: 'metric', metricId, bucket: '1h' }
    await widget(id, { type: 'stat_card', title: 'Orders total', position: pos(0, 0, 3, 2), config: { unit: 'orders' }, dataQuery: query })
    await widget(id, { type: 'text', title: 'About', position: pos(3, 0, 5, 2), config: { markdown: '## Read me\nOrders **per hour**, see [the wiki](https://wiki.example.com).' } })
    await widget(id, { type: 'image', title: 'Logo', position: pos(8, 0, 4, 2), config: { url: 'https://cdn.example.com/logo.png' } })
    await widget(id, { type: 'line_chart', title: 'Orders per hour', position: pos(0, 2, 6, 5), dataQuery: query })
    await widget(id, { type: 'bar_chart', title: 'Orders by region', position: pos(6, 2, 6, 5), dataQuery: { ...query, groupBy: 'region' } })
    await widget(id, { type: 'pie_chart', title: 'Share by region', position: pos(0, 7, 4, 5), dataQuery: { ...query, groupBy: 'region' } })
    await widget(id, { type: 'area_chart', title: 'Orders area', position: pos(4, 7, 4, 5), dataQuery: query })
    await widget(id, { type: 'table', title: 'Orders table', position: pos(8, 7, 4, 5), dataQuery: query })
    await widget(id, { type: 'line_chart', title: 'Doomed chart', position: pos(0, 12, 12, 4), dataQuery: { source: 'metric', metricId: doomed } })
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/metrics/${doomed}`, headers: org.owner.headers })).statusCode).toBe(204)

    const response = await get(`/${id}/export.pdf?${range}`)
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200)
    expect(response.headers['content-type']).toBe('application/pdf')
    expect(response.headers['content-disposition']).toContain('filename="operations-review.pdf"')
    const pdf = response.rawPayload
    if (process.env.EXPORT_PDF_OUT) writeFileSync(process.env.EXPORT_PDF_OUT, pdf)
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(pdfPageCount(pdf)).toBe(2)
    const text = pdfText(pdf).join('\n')
    for (const title of ['Operations review', 'Orders total', 'About', 'Logo', 'Orders per hour', 'Orders by region', 'Share by region', 'Orders area', 'Orders table', 'Doomed chart']) {
      expect(text, title).toContain(title)
    }
    expect(text).toContain('Could not load this widget')
    expect(text).toContain('Read me')
    expect(text).toContain('the wiki (https://wiki.example.com)')
    expect(text).toContain('https://cdn.example.com/logo.png')
    expect(text).toContain('as of')
    expect(await exportCount(id)).toBe(1)
  })

  it('puts a dashboard of many widgets on several pages, breaking between rows', async () => {
    const metricId = await ordersMetric('export.many')
    const id = await dashboard('Many widgets')
    for (let index = 0; index < 12; index++) {
      await widget(id, { type: 'line_chart', title: `Chart number ${index + 1}`, position: pos(0, index * 5, 12, 5), dataQuery: { source: 'metric', metricId, bucket: '1h' } })
    }
    const response = await get(`/${id}/export.pdf?${range}`)
    expect(response.statusCode).toBe(200)
    expect(pdfPageCount(response.rawPayload)).toBe(6)
    const text = pdfText(response.rawPayload)
    for (let index = 1; index <= 12; index++) expect(text).toContain(`Chart number ${index}`)
    expect(text).toContain('Many widgets · page 6 of 6')
  })
})

describe('export permissions', () => {
  it('lets a viewer export; a member without access and another organization get 404', async () => {
    const metricId = await ordersMetric('export.perm')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const outsider = await addMember(ctx.app, org, 'member')
    const id = await dashboard('Restricted export')
    const line = await widget(id, { type: 'line_chart', title: 'Orders', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId, bucket: '1h' } })
    const granted = await ctx.app.inject({ method: 'PUT', url: `/api/v1/orgs/${org.id}/dashboards/${id}/permissions`, headers: org.owner.headers, payload: { permissions: [{ userId: viewer.userId, permission: 'view' }] } })
    expect(granted.statusCode, granted.body).toBe(200)

    expect((await get(`/${id}/widgets/${line}/export?${range}`, viewer)).statusCode).toBe(200)
    expect((await get(`/${id}/widgets/${line}/export?format=xlsx&${range}`, viewer)).statusCode).toBe(200)
    expect((await get(`/${id}/export.pdf?${range}`, viewer)).statusCode).toBe(200)
    for (const [who, orgId] of [[outsider, org.id], [other.owner, other.id], [other.owner, org.id]] as const) {
      for (const path of [`/${id}/widgets/${line}/export`, `/${id}/widgets/${line}/export?format=xlsx`, `/${id}/export.pdf`]) {
        const response = await get(path, who, orgId)
        expect(response.statusCode, `${path} as ${who.email}`).toBe(404)
        expect(response.body).not.toContain('Orders')
      }
    }
    expect(await exportCount(id)).toBe(3)
  })
})
