import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createApiKey, bearer, createOrg } from '../../../test/tenancy.ts'
import type { DemoResponse } from './demo.schema.ts'

let ctx: TestContext
let owner: Session
let first: DemoResponse

const DAY = 86_400_000

interface WidgetData {
  id: string
  status: 'ok' | 'error' | 'static'
  series?: { points: Array<{ t: string; value: number | null; group?: string | null }> }
  error?: { code: string; message: string }
}

async function loadDemo(session: Session, payload?: Record<string, unknown>) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/demo', headers: session.headers, ...(payload && { payload }) })
}

async function dashboardData(session: Session, orgId: string, dashboardId: string, range: { from?: string; to?: string } = {}) {
  const query = new URLSearchParams(range).toString()
  const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/dashboards/${dashboardId}/data${query ? `?${query}` : ''}`, headers: session.headers })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { widgets: WidgetData[] }
}

beforeAll(async () => {
  ctx = await createTestApp()
  owner = await registerUser(ctx.app)
  const response = await loadDemo(owner)
  expect(response.statusCode, response.body).toBe(201)
  first = response.json()
}, 180_000)
afterAll(async () => {
  await ctx.close()
})

describe('POST /api/v1/demo', () => {
  it('creates "Acme Demo" owned by the caller with four dashboards', async () => {
    expect(first.organizationSlug).toBe('acme-demo')
    expect(first.dashboards.map((d) => d.name)).toEqual(['Product metrics', 'Pipeline throughput & storage', 'Workflow runs', 'Service orders'])
    const org = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${first.organizationId}`, headers: owner.headers })
    expect(org.json()).toMatchObject({ name: 'Acme Demo', slug: 'acme-demo', role: 'owner' })
    expect(first.counts.metricPoints).toBeGreaterThan(50_000)
    expect(first.counts.pipelineRecords).toBeGreaterThan(20_000)
  })

  it('stores what it reports, through the ingest and points paths', async () => {
    const { rows } = await ctx.admin.query(
      `select (select count(*)::int from ts.time_series_data where organization_id = $1) + (select count(*)::int from ts.time_series_late where organization_id = $1) as points,
              (select count(*)::int from ingest.pipeline_data where organization_id = $1) as records,
              (select count(*)::int from ingest.data_ingestion_jobs where organization_id = $1 and metadata->>'via' = 'demo') as jobs,
              (select min(record_time) from ingest.pipeline_data where organization_id = $1) as oldest`,
      [first.organizationId],
    )
    expect(rows[0].points).toBe(first.counts.metricPoints)
    expect(rows[0].records).toBe(first.counts.pipelineRecords)
    expect(rows[0].jobs).toBeGreaterThan(0)
    // Record times spread over the 30 days, not the moment of the load.
    expect(Date.now() - new Date(rows[0].oldest).getTime()).toBeGreaterThan(29 * DAY)
  })

  it('creates KPIs with targets on the product and order metrics', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${first.organizationId}/kpis`, headers: owner.headers })
    const kpis = response.json().kpis as Array<{ name: string; targetValue: number | null }>
    expect(kpis.map((k) => k.name).sort()).toEqual(['Conversion rate', 'Daily order revenue', 'Daily revenue', 'Daily signups', 'Page load time'])
    expect(kpis.every((k) => typeof k.targetValue === 'number' && k.targetValue > 0)).toBe(true)
  })

  it('answers every widget of every dashboard with data, for the default range and for 30 days', async () => {
    const now = Date.now()
    const ranges = [{}, { from: new Date(now - 30 * DAY).toISOString(), to: new Date(now).toISOString() }]
    const problems: string[] = []
    for (const dashboard of first.dashboards) {
      const widgets = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${first.organizationId}/dashboards/${dashboard.id}/widgets`, headers: owner.headers })
      const byId = new Map((widgets.json().widgets as Array<{ id: string; title: string; type: string }>).map((w) => [w.id, w]))
      for (const range of ranges) {
        const data = await dashboardData(owner, first.organizationId, dashboard.id, range)
        expect(data.widgets.length).toBe(byId.size)
        for (const widget of data.widgets) {
          const meta = byId.get(widget.id)!
          const label = `${dashboard.name} / ${meta.title} (${'from' in range ? '30 days' : 'default'})`
          if (meta.type === 'text' || meta.type === 'image') {
            if (widget.status !== 'static') problems.push(`${label}: ${widget.status}`)
          } else if (widget.status !== 'ok') {
            problems.push(`${label}: ${widget.status} ${JSON.stringify(widget.error)}`)
          } else if (!widget.series?.points.some((p) => p.value !== null)) {
            problems.push(`${label}: no points`)
          }
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('lays widgets out on the 12-column grid without overlaps, with grouped charts and a refresh interval', async () => {
    for (const dashboard of first.dashboards) {
      const got = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${first.organizationId}/dashboards/${dashboard.id}`, headers: owner.headers })
      expect(got.json().refreshInterval).toBeGreaterThan(0)
      const widgets = (await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${first.organizationId}/dashboards/${dashboard.id}/widgets`, headers: owner.headers })).json().widgets as Array<{
        type: string
        position: { x: number; y: number; w: number; h: number }
        dataQuery: { groupBy?: string } | null
      }>
      const cells = new Set<string>()
      for (const { position: p } of widgets) {
        expect(p.x + p.w).toBeLessThanOrEqual(12)
        for (let x = p.x; x < p.x + p.w; x++) {
          for (let y = p.y; y < p.y + p.h; y++) {
            expect(cells.has(`${x},${y}`), `${dashboard.name}: overlap at ${x},${y}`).toBe(false)
            cells.add(`${x},${y}`)
          }
        }
      }
      // Rows are filled: every occupied row has all 12 columns.
      const rows = new Set([...cells].map((c) => c.split(',')[1]))
      expect(cells.size).toBe(rows.size * 12)
      expect(widgets.some((w) => w.type === 'text')).toBe(true)
      expect(widgets.some((w) => w.type === 'stat_card')).toBe(true)
      expect(widgets.filter((w) => w.dataQuery?.groupBy).length).toBeGreaterThanOrEqual(4)
    }
  })

  it('creates a second organization on a second load, without conflicts', async () => {
    const response = await loadDemo(owner, { days: 2 })
    expect(response.statusCode, response.body).toBe(201)
    const second = response.json() as DemoResponse
    expect(second.organizationId).not.toBe(first.organizationId)
    expect(second.organizationSlug).toBe('acme-demo-2')
    const orgs = (await ctx.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: owner.headers })).json().organizations as Array<{ id: string }>
    expect(orgs.map((o) => o.id)).toEqual(expect.arrayContaining([first.organizationId, second.organizationId]))
    // Each demo's dashboards read their own organization's data.
    const data = await dashboardData(owner, second.organizationId, second.dashboards[0]!.id)
    expect(data.widgets.filter((w) => w.status === 'ok').length).toBeGreaterThan(0)
  }, 120_000)

  it("is invisible to another organization's members", async () => {
    const outsider = await registerUser(ctx.app)
    const other = await createOrg(ctx.app, outsider)
    const viewer = await addMember(ctx.app, other, 'viewer')
    for (const session of [outsider, viewer]) {
      const org = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${first.organizationId}`, headers: session.headers })
      expect(org.statusCode).toBe(404)
      const data = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${first.organizationId}/dashboards/${first.dashboards[0]!.id}/data`, headers: session.headers })
      expect(data.statusCode).toBe(404)
      const own = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${other.id}/dashboards/${first.dashboards[0]!.id}`, headers: session.headers })
      expect(own.statusCode).toBe(404)
    }
  })

  it('is documented in the OpenAPI document', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown> }>> }
    const operation = doc.paths['/api/v1/demo']?.post
    expect(operation?.summary).toContain('demo')
    expect(Object.keys(operation?.responses ?? {})).toContain('201')
  })

  it('needs a signed-in session with the CSRF header, and refuses API keys and bad input', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/demo' })).statusCode).toBe(401)
    const noCsrf = await ctx.app.inject({ method: 'POST', url: '/api/v1/demo', headers: { cookie: owner.cookie } })
    expect(noCsrf.statusCode).toBe(403)
    expect(noCsrf.json().error.code).toBe('csrf_failed')
    const { key } = await createApiKey(ctx.app, { id: first.organizationId, slug: first.organizationSlug, owner }, ['admin'])
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/demo', headers: bearer(key) })).statusCode).toBe(401)
    const tooLong = await loadDemo(owner, { days: 400 })
    expect(tooLong.statusCode).toBe(400)
    const { rows } = await ctx.admin.query("select count(*)::int as n from app.organizations where name = 'Acme Demo'")
    expect(rows[0].n).toBe(2)
  })

  it('streams its progress, a line a day, then the result, to a client that accepts NDJSON', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/demo', headers: { ...owner.headers, accept: 'application/x-ndjson' }, payload: { days: 3 } })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('application/x-ndjson')
    const lines = response.body.trim().split('\n').map((line) => JSON.parse(line) as { progress?: { day: number; days: number; metricPoints: number }; result?: DemoResponse })
    const progress = lines.flatMap((line) => (line.progress ? [line.progress] : []))
    expect(progress.map((p) => p.day)).toEqual(Array.from({ length: progress[0]!.days }, (_, i) => i + 1))
    expect(progress.every((p, i) => i === 0 || p.metricPoints >= progress[i - 1]!.metricPoints)).toBe(true)
    const result = lines.at(-1)!.result!
    expect(result.dashboards).toHaveLength(4)
    expect(result.counts.metricPoints).toBeGreaterThanOrEqual(progress.at(-1)!.metricPoints)
    const { rows } = await ctx.admin.query('select count(*)::int as n from ts.time_series_data where organization_id = $1', [result.organizationId])
    expect(rows[0].n).toBeGreaterThan(0)
  }, 120_000)

  it('stops and deletes (soft) the half-loaded organization when the client goes away', async () => {
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' })
    const before = (await ctx.admin.query("select count(*)::int as n from app.organizations where name = 'Acme Demo' and deleted_at is null")).rows[0].n as number
    const aborted = new AbortController()
    const response = await fetch(`${address}/api/v1/demo`, {
      method: 'POST',
      headers: { ...owner.headers, accept: 'application/x-ndjson', 'content-type': 'application/json' },
      body: JSON.stringify({ days: 60 }),
      signal: aborted.signal,
    })
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain('"progress"')
    const { rows: loading } = await ctx.admin.query("select count(*)::int as n from app.organizations where name = 'Acme Demo' and deleted_at is null")
    expect(loading[0].n).toBe(before + 1)
    aborted.abort()
    await expect.poll(async () => (await ctx.admin.query("select count(*)::int as n from app.organizations where name = 'Acme Demo' and deleted_at is null")).rows[0].n, { timeout: 60_000 }).toBe(before)
  }, 120_000)
})
