import { gzipSync } from 'node:zlib'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { ndjson } from '../../../test/ingest.ts'
import { bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext
let org: OrgFixture
let ingestKey: string

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  ingestKey = (await createApiKey(ctx.app, org, ['ingest'])).key
})
afterAll(async () => {
  await ctx.close()
})

let seq = 0
async function newMetric(o: OrgFixture = org, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const name = `m${++seq}.${Math.random().toString(36).slice(2, 8)}`
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${o.id}/metrics`, headers: o.owner.headers, payload: { name, displayName: name, unit: 'count', aggregationType: 'sum', ...extra } })
  expect(response.statusCode).toBe(201)
  return response.json()
}

interface PushOptions {
  body?: string | Buffer
  contentType?: string
  gzip?: boolean
  idempotencyKey?: string
  atomic?: boolean
  headers?: Record<string, string>
}

function pushTo(path: string, points: unknown[], options: PushOptions = {}) {
  let body: string | Buffer = options.body ?? JSON.stringify(points)
  const headers: Record<string, string> = { ...bearer(ingestKey), 'content-type': options.contentType ?? 'application/json', ...options.headers }
  if (options.gzip) {
    body = gzipSync(body)
    headers['content-encoding'] = 'gzip'
  }
  if (options.idempotencyKey) {
    headers['idempotency-key'] = options.idempotencyKey
  }
  return ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics${path}${options.atomic ? '?atomic=true' : ''}`, headers, payload: body })
}

// One reference instant per file, so two points of one request are exactly the hours apart they say.
const startedAt = Date.now()
const at = (hoursAgo: number) => new Date(startedAt - hoursAgo * 3_600_000).toISOString()

async function stored(metricId: string, table = 'ts.time_series_data'): Promise<Array<{ value: string; dimensions: unknown }>> {
  const { rows } = await ctx.admin.query(`select value::text, dimensions from ${table} where metric_id = $1 order by "timestamp"`, [metricId])
  return rows
}

describe('POST …/metrics/{metricId}/points', () => {
  it('stores valid points, reports invalid ones and records the invalidated range', async () => {
    const metric = await newMetric()
    const points = [
      { timestamp: at(3), value: 1.5, dimensions: { region: 'eu' } },
      { timestamp: 'yesterday', value: 1 },
      { timestamp: at(1), value: 'NaN' },
      { timestamp: at(2), value: 1e12 },
      { timestamp: at(-24 * 60), value: 1 },
      { timestamp: at(2), value: '12.3456' },
      'not an object',
    ]
    const response = await pushTo(`/${metric.id}/points`, points)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ accepted: 2, rejected: 5, late: 0 })
    expect(body.errors.map((e: { index: number; code: string }) => [e.index, e.code])).toEqual([
      [1, 'invalid_timestamp'],
      [2, 'invalid_value'],
      [3, 'value_out_of_range'],
      [4, 'timestamp_out_of_range'],
      [6, 'invalid_point'],
    ])
    expect(body.errors[3].message).toMatch(/future/)
    expect(await stored(metric.id)).toEqual([
      { value: '1.5000', dimensions: { region: 'eu' } },
      { value: '12.3456', dimensions: {} },
    ])
    const { rows } = await ctx.admin.query('select range_start, range_end from ts.rollup_invalidations where metric_id = $1', [metric.id])
    expect(rows.map((r) => [r.range_start.toISOString(), r.range_end.toISOString()])).toEqual([[(points[0] as { timestamp: string }).timestamp, (points[5] as { timestamp: string }).timestamp]])
  })

  it('sends points older than the oldest partition to ts.time_series_late', async () => {
    const metric = await newMetric()
    const response = await pushTo(`/${metric.id}/points`, [{ timestamp: at(24 * 90), value: 7 }, { timestamp: at(1), value: 8 }])
    expect(response.json()).toMatchObject({ accepted: 2, rejected: 0, late: 1 })
    expect(await stored(metric.id, 'ts.time_series_late')).toEqual([{ value: '7.0000', dimensions: {} }])
    expect(await stored(metric.id)).toEqual([{ value: '8.0000', dimensions: {} }])
    const { rows } = await ctx.admin.query('select range_start from ts.rollup_invalidations where metric_id = $1', [metric.id])
    expect(rows[0].range_start.getTime()).toBeLessThan(Date.now() - 80 * 86_400_000)
  })

  it('stores nothing with atomic=true when a point is invalid; accepts NDJSON and gzip', async () => {
    const metric = await newMetric()
    const refused = await pushTo(`/${metric.id}/points`, [{ timestamp: at(1), value: 1 }, { timestamp: at(1), value: null }], { atomic: true })
    expect(refused.statusCode).toBe(422)
    expect(refused.json().error.details).toEqual([{ index: 1, code: 'invalid_value', message: expect.any(String) }])
    expect(await stored(metric.id)).toEqual([])
    const lines = await pushTo(`/${metric.id}/points`, [], { body: ndjson([{ timestamp: at(1), value: 1 }, { timestamp: at(2), value: 2 }]), contentType: 'application/x-ndjson', gzip: true })
    expect(lines.json()).toMatchObject({ accepted: 2, rejected: 0 })
    expect((await pushTo(`/${metric.id}/points`, [], { body: '{"timestamp":', contentType: 'application/json' })).statusCode).toBe(400)
    expect((await pushTo(`/${metric.id}/points`, [], { body: 'x', contentType: 'text/plain' })).statusCode).toBe(415)
  })

  it('replays an Idempotency-Key, answers 422 for another body and 409 while in flight', async () => {
    const metric = await newMetric()
    const points = [{ timestamp: at(1), value: 3 }]
    const first = await pushTo(`/${metric.id}/points`, points, { idempotencyKey: 'k1' })
    const replay = await pushTo(`/${metric.id}/points`, points, { idempotencyKey: 'k1', gzip: true })
    expect(replay.json()).toEqual(first.json())
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(await stored(metric.id)).toHaveLength(1)
    const reused = await pushTo(`/${metric.id}/points`, [{ timestamp: at(1), value: 4 }], { idempotencyKey: 'k1' })
    expect(reused.statusCode).toBe(422)
    expect(reused.json().error.code).toBe('idempotency_key_reused')

    // Another session holds the key's lock, as an uncommitted push would.
    const holder = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await holder.connect()
    try {
      await holder.query('begin')
      await holder.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`metric-idempotency:${org.id}:${metric.id}:k2`])
      const inFlight = await pushTo(`/${metric.id}/points`, points, { idempotencyKey: 'k2' })
      expect(inFlight.statusCode).toBe(409)
      expect(inFlight.json().error.code).toBe('idempotency_key_in_flight')
      await holder.query('rollback')
    } finally {
      await holder.end()
    }
    expect((await pushTo(`/${metric.id}/points`, points, { idempotencyKey: 'k2' })).statusCode).toBe(200)
  })

  it("answers 409 for an inactive metric, 404 for another organization's metric, and checks the key's scope", async () => {
    const inactive = await newMetric(org, { isActive: false })
    const paused = await pushTo(`/${inactive.id}/points`, [{ timestamp: at(1), value: 1 }])
    expect(paused.statusCode).toBe(409)
    expect(paused.json().error.code).toBe('metric_inactive')

    const other = await createOrg(ctx.app, await registerUser(ctx.app))
    const foreign = await newMetric(other)
    expect((await pushTo(`/${foreign.id}/points`, [{ timestamp: at(1), value: 1 }])).statusCode).toBe(404)
    expect(await stored(foreign.id)).toEqual([])

    const metric = await newMetric()
    const readKey = (await createApiKey(ctx.app, org, ['read'])).key
    const wrongScope = await pushTo(`/${metric.id}/points`, [{ timestamp: at(1), value: 1 }], { headers: bearer(readKey) })
    expect(wrongScope.statusCode).toBe(403)
    // A session may push too (with its CSRF header).
    const bySession = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics/${metric.id}/points`, headers: { ...org.owner.headers, 'content-type': 'application/json' }, payload: JSON.stringify([{ timestamp: at(1), value: 1 }]) })
    expect(bySession.json()).toMatchObject({ accepted: 1 })
  })
})

describe('POST …/metrics/points (many metrics)', () => {
  it('routes points by metric id or name and reports unknown and inactive metrics per point', async () => {
    const a = await newMetric()
    const b = await newMetric()
    const off = await newMetric(org, { isActive: false })
    const response = await pushTo('/points', [
      { metric: a.id, timestamp: at(1), value: 1 },
      { metric: b.name, timestamp: at(2), value: 2, dimensions: { host: 'h1' } },
      { metric: 'nope', timestamp: at(1), value: 3 },
      { metric: off.name, timestamp: at(1), value: 4 },
      { metric: b.name, timestamp: at(5), value: 5 },
    ])
    expect(response.json()).toMatchObject({ accepted: 3, rejected: 2 })
    expect(response.json().errors.map((e: { code: string }) => e.code)).toEqual(['unknown_metric', 'metric_inactive'])
    expect(await stored(a.id)).toHaveLength(1)
    expect(await stored(b.id)).toHaveLength(2)
    const { rows } = await ctx.admin.query('select metric_id::text, range_start, range_end from ts.rollup_invalidations where metric_id = any($1) order by range_start', [[a.id, b.id]])
    expect(rows.map((r) => r.metric_id)).toEqual([b.id, a.id])
    expect(rows[0].range_end.getTime() - rows[0].range_start.getTime()).toBe(3 * 3_600_000)
  })
})
