import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { ensurePointPartitions } from '../timeseries/series.fixtures.ts'
import { api, expectNothingLeaked, sharedBoard, sum } from './sharing.fixtures.ts'

/** Public dashboard links (issue 5, sharing) on real PostgreSQL: lifecycle, permissions, locks, and what a viewer may see. */

const HOUR = 3_600_000
let ctx: TestContext
let org: OrgFixture
let call: ReturnType<typeof api>

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  call = api(ctx, org)
})
afterAll(async () => {
  await ctx?.close()
})

/** No cookie, no key: a stranger with the link. */
const anonymous = (url: string) => ctx.app.inject({ method: 'GET', url })
const publicPayload = (token: string) => anonymous(`/api/v1/public/dashboards/${token}`)
const publicData = (token: string, query = '') => anonymous(`/api/v1/public/dashboards/${token}/data${query}`)

async function share(dashboardId: string, body: Record<string, unknown> = {}) {
  const response = await call('POST', `/dashboards/${dashboardId}/public-link`, org.owner, body)
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as { token: string; url: string; prefix: string; allowViewerChanges: boolean }
}

type DataItem = { key: string; status: string; series?: { points: { value: number | null; group?: string | null }[] }; comparison?: Record<string, unknown> }
const byKey = (body: { widgets: DataItem[] }) => Object.fromEntries(body.widgets.map((w) => [w.key, w]))

describe('public links', () => {
  it('creates, serves without a session, regenerates, and revokes a link', async () => {
    const board = await sharedBoard(ctx, org)
    const link = await share(board.id)
    expect(link.token).toMatch(/^tsp_[A-Za-z0-9_-]{43}$/)
    expect(link).toEqual({ token: link.token, url: `http://tessera.test/public/${link.token}`, prefix: link.token.slice(0, 12), allowViewerChanges: false })
    // Only the SHA-256 is stored; the dashboard shows that it is public and the prefix.
    const { rows } = await ctx.admin.query('select public_token_hash, public_token_prefix, is_public from app.dashboards where id = $1', [board.id])
    expect(rows[0]).toEqual({ public_token_hash: createHash('sha256').update(link.token).digest('hex'), public_token_prefix: link.prefix, is_public: true })
    const shown = (await call('GET', `/dashboards/${board.id}`)).json()
    expect(shown).toMatchObject({ isPublic: true, publicTokenPrefix: link.prefix, publicAllowViewerChanges: false })
    const listed = (await call('GET', '/dashboards')).json().dashboards.find((d: { id: string }) => d.id === board.id)
    expect(listed).toMatchObject({ isPublic: true, publicTokenPrefix: link.prefix })

    const payload = await publicPayload(link.token)
    expect(payload.statusCode, payload.body).toBe(200)
    const body = payload.json()
    expect(body).toMatchObject({ name: 'Shared orders', description: 'Orders by region', allowViewerChanges: false, locks: { range: true, filters: true }, range: { relative: '24h' }, filters: {} })
    // Grid order (y, then x), display options only, each type its own.
    expect(body.widgets).toEqual([
      { key: 'w1', type: 'line_chart', title: 'Orders', description: null, position: { x: 0, y: 0, w: 8, h: 4 }, display: { showLegend: true, colors: ['#112233'], groupBy: 'region' } },
      { key: 'w2', type: 'stat_card', title: 'Total', description: null, position: { x: 8, y: 0, w: 4, h: 2 }, display: { unit: 'orders', decimals: 1, target: 10 } },
      { key: 'w3', type: 'text', title: 'Notes', description: null, position: { x: 0, y: 4, w: 6, h: 2 }, display: { markdown: 'Read **me**' } },
      { key: 'w4', type: 'image', title: 'Logo', description: null, position: { x: 6, y: 4, w: 6, h: 2 }, display: { url: 'https://example.com/logo.png', alt: 'Logo' } },
    ])
    const data = await publicData(link.token)
    expect(data.statusCode, data.body).toBe(200)
    const items = byKey(data.json())
    expect(Object.keys(items)).toEqual(['w1', 'w2', 'w3', 'w4'])
    expect(items.w1!.status).toBe('ok')
    expect(new Set(items.w1!.series!.points.map((p) => p.group))).toEqual(new Set(['eu', 'us']))
    expect(sum(items.w2!.series!.points)).toBe(9)
    // The stat card's figure over the shared range, and the day before it (no points there).
    const { from, to } = data.json()
    expect(items.w2!.comparison).toEqual({ value: 9, previous: null, from, to, previousFrom: new Date(2 * Date.parse(from) - Date.parse(to)).toISOString(), previousTo: from })
    expect(items.w1).not.toHaveProperty('comparison')
    expect(items.w3).toEqual({ key: 'w3', status: 'static' })
    // Opening the link is logged as an anonymous view; creating it as a share.
    const { rows: usage } = await ctx.admin.query<{ action: string; user_id: string | null }>('select action, user_id from telemetry.dashboard_usage_logs where dashboard_id = $1 and action in ($2, $3) order by created_at', [board.id, 'share', 'view'])
    expect(usage).toEqual(expect.arrayContaining([{ action: 'share', user_id: org.owner.userId }, { action: 'view', user_id: null }]))

    const again = await share(board.id, { allowViewerChanges: true })
    expect(again.token).not.toBe(link.token)
    const stale = await publicPayload(link.token)
    expect(stale.statusCode).toBe(404)
    expect(stale.json().error.code).toBe('public_dashboard_not_found')
    expect((await publicData(link.token)).statusCode).toBe(404)
    expect((await publicPayload(again.token)).json()).toMatchObject({ allowViewerChanges: true, locks: { range: false, filters: false } })

    expect((await call('DELETE', `/dashboards/${board.id}/public-link`)).statusCode).toBe(204)
    expect((await call('DELETE', `/dashboards/${board.id}/public-link`)).statusCode).toBe(204)
    const revoked = await publicPayload(again.token)
    expect(revoked.statusCode).toBe(404)
    expect((await call('GET', `/dashboards/${board.id}`)).json()).toMatchObject({ isPublic: false, publicTokenPrefix: null })

    // Unknown, revoked and malformed tokens answer exactly alike.
    const unknown = await publicPayload(`tsp_${'A'.repeat(43)}`)
    for (const bad of ['garbage', 'tsp_short', `tsp_${'A'.repeat(42)}!`, encodeURIComponent("' or 1=1 --")]) {
      const response = await publicPayload(bad)
      expect(response.statusCode, bad).toBe(404)
      expect(response.body, bad).toBe(unknown.body)
    }
    expect(unknown.statusCode).toBe(404)
    expect(revoked.body).toBe(unknown.body)
  })

  it('needs the admin permission on the dashboard: view-only members get 403, strangers 404', async () => {
    const board = await sharedBoard(ctx, org)
    const member = await addMember(ctx.app, org, 'member')
    const admin = await addMember(ctx.app, org, 'admin')
    const stranger = await registerUser(ctx.app)
    expect((await call('PUT', `/dashboards/${board.id}/permissions`, org.owner, { permissions: [{ userId: member.userId, permission: 'view' }] })).statusCode).toBe(200)
    const asMember = await call('POST', `/dashboards/${board.id}/public-link`, member, {})
    expect(asMember.statusCode).toBe(403)
    expect((await call('DELETE', `/dashboards/${board.id}/public-link`, member)).statusCode).toBe(403)
    expect((await call('POST', `/dashboards/${board.id}/public-link`, stranger, {})).statusCode).toBe(404)
    // Organization admins manage every dashboard.
    expect((await call('POST', `/dashboards/${board.id}/public-link`, admin, {})).statusCode).toBe(201)
    // A member the owner made admin of the dashboard may share it too.
    expect((await call('PUT', `/dashboards/${board.id}/permissions`, org.owner, { permissions: [{ userId: member.userId, permission: 'admin' }] })).statusCode).toBe(200)
    expect((await call('POST', `/dashboards/${board.id}/public-link`, member, {})).statusCode).toBe(201)
  })

  it("locks the owner's saved range and filters unless the link allows viewer changes", async () => {
    const board = await sharedBoard(ctx, org)
    const saved = await call('PATCH', `/dashboards/${board.id}`, org.owner, { filters: { region: 'eu' }, layout: { range: { relative: '6h' } } })
    expect(saved.statusCode, saved.body).toBe(200)
    const locked = await share(board.id)
    expect((await publicPayload(locked.token)).json()).toMatchObject({ range: { relative: '6h' }, filters: { region: 'eu' }, locks: { range: true, filters: true } })
    const data = (await publicData(locked.token)).json()
    expect(Date.parse(data.to) - Date.parse(data.from)).toBe(6 * HOUR)
    expect(sum(byKey(data).w2!.series!.points)).toBe(6)
    const now = Date.now()
    for (const query of [
      `?filters=${encodeURIComponent('{"region":"us"}')}`,
      `?from=${new Date(now - 2 * HOUR).toISOString()}&to=${new Date(now).toISOString()}`,
      `?to=${new Date(now).toISOString()}`,
      '?range=1h',
    ]) {
      const refused = await publicData(locked.token, query)
      expect(refused.statusCode, query).toBe(403)
      expect(refused.json().error.code).toBe('public_view_locked')
    }
    // The time zone is the viewer's own.
    expect((await publicData(locked.token, '?tz=Europe%2FBerlin')).statusCode).toBe(200)

    const open = await share(board.id, { allowViewerChanges: true })
    const us = await publicData(open.token, `?filters=${encodeURIComponent('{"region":"us"}')}`)
    expect(us.statusCode, us.body).toBe(200)
    expect(sum(byKey(us.json()).w2!.series!.points)).toBe(3)
    expect(sum(byKey((await publicData(open.token)).json()).w2!.series!.points)).toBe(6)
    const from = new Date(now - 24 * HOUR).toISOString()
    const ranged = (await publicData(open.token, `?from=${from}&to=${new Date(now).toISOString()}`)).json()
    expect(ranged.from).toBe(from)
    const window = (await publicData(open.token, '?range=2h')).json()
    expect(Date.parse(window.to) - Date.parse(window.from)).toBe(2 * HOUR)
    // A viewer's bad input is a 400 they can act on, not a leak.
    const bad = await publicData(open.token, `?filters=${encodeURIComponent('{region')}`)
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('invalid_filters')
  })

  it('puts no ids, queries, sources, owners or secrets in the payload or the data', async () => {
    const board = await sharedBoard(ctx, org)
    expect((await call('PATCH', `/dashboards/${board.id}`, org.owner, { filters: { region: 'eu' } })).statusCode).toBe(200)
    const link = await share(board.id)
    const payload = await publicPayload(link.token)
    const data = await publicData(link.token)
    expect(payload.statusCode).toBe(200)
    expect(data.statusCode).toBe(200)
    for (const body of [payload.body, data.body]) {
      expectNothingLeaked(body, ['s3cr3t-value', 'k3y-value', 'not-for-text', 'not for images', org.slug, link.token, board.metricId])
    }
  })

  it('keeps error messages of broken widgets generic', async () => {
    const board = await sharedBoard(ctx, org)
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/metrics/${board.metricId}`, headers: org.owner.headers })).statusCode).toBe(204)
    const link = await share(board.id)
    const data = await publicData(link.token)
    expect(data.statusCode, data.body).toBe(200)
    const broken = byKey(data.json()).w1 as unknown as { status: string; error: { code: string; message: string } }
    expect(broken.status).toBe('error')
    expect(broken.error.message).toBe('This widget has no data to show right now')
    expectNothingLeaked(data.body)
  })

  it('serves no deleted dashboard, and reads the data as an owner once the creator has left', async () => {
    const creator = await addMember(ctx.app, org, 'member')
    const board = await sharedBoard(ctx, org, creator)
    const link = await share(board.id)
    expect((await publicData(link.token)).statusCode).toBe(200)
    const removed = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/members/${creator.userId}`, headers: org.owner.headers })
    expect(removed.statusCode, removed.body).toBe(204)
    const data = await publicData(link.token)
    expect(data.statusCode, data.body).toBe(200)
    expect(sum(byKey(data.json()).w2!.series!.points)).toBe(9)

    expect((await call('DELETE', `/dashboards/${board.id}`)).statusCode).toBe(204)
    expect((await publicPayload(link.token)).statusCode).toBe(404)
    expect((await publicData(link.token)).statusCode).toBe(404)
  })
})

describe('the public routes rate limit', () => {
  it('answers 429 past the per-address limit per minute', async () => {
    const board = await sharedBoard(ctx, org)
    const link = await share(board.id)
    await ctx.admin.query("update app.system_settings set setting_value = '1' where setting_key = 'sharing.public_rate_limit_per_minute'")
    try {
      // Spends this minute's single request (unless earlier tests already did).
      await publicPayload(link.token)
      const limited = await publicPayload(link.token)
      expect(limited.statusCode).toBe(429)
      expect(limited.json().error.code).toBe('rate_limited')
      expect(limited.headers['retry-after']).toBeDefined()
      expect((await publicData(`tsp_${'B'.repeat(43)}`)).statusCode).toBe(429)
    } finally {
      await ctx.admin.query("update app.system_settings set setting_value = '300' where setting_key = 'sharing.public_rate_limit_per_minute'")
    }
    expect((await publicPayload(link.token)).statusCode).toBe(200)
  })
})

describe('the public payload schema', () => {
  /** additionalProperties false on every object schema, except the rows of a table (data) and the filters map. */
  function openObjects(schema: unknown, path = '$'): string[] {
    if (Array.isArray(schema)) return schema.flatMap((s, i) => openObjects(s, `${path}[${i}]`))
    if (typeof schema !== 'object' || schema === null) return []
    const node = schema as Record<string, unknown>
    const own = node.type === 'object' && node.properties !== undefined && node.additionalProperties !== false ? [path] : []
    return [...own, ...Object.entries(node).flatMap(([k, v]) => openObjects(v, `${path}.${k}`))]
  }

  it('is closed and matches the reviewed snapshot (a new field needs a review here)', async () => {
    const spec = ctx.app.swagger() as unknown as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>> }
    const payload = spec.paths['/api/v1/public/dashboards/{token}']!.get!.responses['200']!.content['application/json']!.schema
    const data = spec.paths['/api/v1/public/dashboards/{token}/data']!.get!.responses['200']!.content['application/json']!.schema
    expect(openObjects(payload)).toEqual([])
    expect(openObjects(data)).toEqual([])
    // The embed routes answer the same shapes.
    expect(spec.paths['/api/v1/embed/{token}']!.get!.responses['200']!.content['application/json']!.schema).toEqual(payload)
    expect(spec.paths['/api/v1/embed/{token}/data']!.get!.responses['200']!.content['application/json']!.schema).toEqual(data)
    await expect(JSON.stringify({ payload, data }, null, 2)).toMatchFileSnapshot('./__snapshots__/public-payload.openapi.json')
  })
})
