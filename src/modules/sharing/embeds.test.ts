import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { ensurePointPartitions } from '../timeseries/series.fixtures.ts'
import { signEmbed, type EmbedClaims } from './embed-token.ts'
import { api, expectNothingLeaked, sharedBoard, sum } from './sharing.fixtures.ts'
import { openEmbedKey } from './sharing.service.ts'

/** Signed embed URLs (issue 5, sharing) on real PostgreSQL: valid, tampered, expired, rotated, locked filters. */

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

async function embedUrl(dashboardId: string, body: Record<string, unknown> = {}) {
  const response = await call('POST', `/dashboards/${dashboardId}/embed-url`, org.owner, body)
  expect(response.statusCode, response.body).toBe(200)
  const { url, expiresAt } = response.json() as { url: string; expiresAt: string }
  expect(url.startsWith('http://tessera.test/embed/')).toBe(true)
  return { token: url.slice('http://tessera.test/embed/'.length), expiresAt }
}

const embed = (token: string, path = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/embed/${token}${path}` })
type DataItem = { key: string; series?: { points: { value: number | null }[] } }
const statTotal = (body: { widgets: DataItem[] }) => sum(body.widgets.find((w) => w.key === 'w2')!.series!.points)

/** A token signed with the organization's real current key, with claims a URL from the API would never carry. */
async function forge(claims: Partial<EmbedClaims> & { dashboard: string }): Promise<string> {
  const { rows } = await ctx.admin.query<{ key_version: number; sealed_key: string }>(
    'select key_version, sealed_key from app.embed_signing_keys where organization_id = $1 order by key_version desc limit 1', [org.id])
  const key = openEmbedKey(ctx.services.box, org.id, rows[0]!)
  return signEmbed(key, { org: org.id, exp: Math.floor(Date.now() / 1000) + 600, filters: {}, range: null, keyVersion: rows[0]!.key_version, ...claims })
}

describe('signed embeds', () => {
  it('serves the payload and data with the signed filters locked; the viewer picks the range when none was signed', async () => {
    const board = await sharedBoard(ctx, org)
    const before = Date.now()
    const { token, expiresAt } = await embedUrl(board.id, { filters: { region: 'eu' } })
    // The default lifetime is one day.
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(24 * HOUR - 60_000)
    expect(Date.parse(expiresAt) - before).toBeLessThanOrEqual(24 * HOUR + 1_000)
    const payload = await embed(token)
    expect(payload.statusCode, payload.body).toBe(200)
    expect(payload.json()).toMatchObject({ name: 'Shared orders', allowViewerChanges: false, locks: { range: false, filters: true }, filters: { region: 'eu' } })
    expect(payload.json().widgets.map((w: { key: string }) => w.key)).toEqual(['w1', 'w2', 'w3', 'w4'])
    const data = await embed(token, '/data')
    expect(data.statusCode, data.body).toBe(200)
    expect(statTotal(data.json())).toBe(6)
    for (const body of [payload.body, data.body]) expectNothingLeaked(body, ['s3cr3t-value', 'k3y-value'])

    const refused = await embed(token, `/data?filters=${encodeURIComponent('{"region":"us"}')}`)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.code).toBe('public_view_locked')
    const now = Date.now()
    const ranged = await embed(token, `/data?from=${new Date(now - 2 * HOUR).toISOString()}&to=${new Date(now).toISOString()}&tz=Europe%2FParis`)
    expect(ranged.statusCode, ranged.body).toBe(200)
    expect(Date.parse(ranged.json().to) - Date.parse(ranged.json().from)).toBe(2 * HOUR)
  })

  it('locks a signed range: from and to are refused', async () => {
    const board = await sharedBoard(ctx, org)
    const to = new Date()
    const from = new Date(to.getTime() - 12 * HOUR)
    const { token } = await embedUrl(board.id, { from: from.toISOString(), to: to.toISOString() })
    expect((await embed(token)).json()).toMatchObject({ locks: { range: true, filters: true }, range: { from: from.toISOString(), to: to.toISOString() } })
    const data = (await embed(token, '/data')).json()
    expect(data.from).toBe(from.toISOString())
    expect(statTotal(data)).toBe(9)
    const refused = await embed(token, `/data?from=${from.toISOString()}`)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.code).toBe('public_view_locked')
    const half = await call('POST', `/dashboards/${board.id}/embed-url`, org.owner, { from: from.toISOString() })
    expect(half.statusCode).toBe(400)
    const reversed = await call('POST', `/dashboards/${board.id}/embed-url`, org.owner, { from: to.toISOString(), to: from.toISOString() })
    expect(reversed.statusCode).toBe(400)
    expect((await call('POST', `/dashboards/${board.id}/embed-url`, org.owner, { expiresInSeconds: 59 })).statusCode).toBe(400)
    expect((await call('POST', `/dashboards/${board.id}/embed-url`, org.owner, { expiresInSeconds: 2_592_001 })).statusCode).toBe(400)
  })

  it('refuses tampered and malformed tokens with 403 embed_invalid and expired ones with 410 embed_expired', async () => {
    const board = await sharedBoard(ctx, org)
    const { token } = await embedUrl(board.id, { filters: { region: 'eu' } })
    const [body, mac] = token.split('.') as [string, string]
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString())
    const widened = Buffer.from(JSON.stringify({ ...claims, filters: {} })).toString('base64url')
    const flipped = mac.slice(0, 5) + (mac[5] === 'A' ? 'B' : 'A') + mac.slice(6)
    for (const bad of [`${widened}.${mac}`, `${body}.${flipped}`, `${body}.`, body, 'not-a-token', `${body}.${mac}.${mac}`]) {
      for (const path of ['', '/data']) {
        const response = await embed(bad, path)
        expect(response.statusCode, `${bad}${path}`).toBe(403)
        expect(response.json().error.code).toBe('embed_invalid')
      }
    }
    // Expired: signed correctly, but in the past. A forged expiry without the key stays 403.
    const expired = await forge({ dashboard: board.id, exp: Math.floor(Date.now() / 1000) - 1 })
    const gone = await embed(expired)
    expect(gone.statusCode).toBe(410)
    expect(gone.json().error.code).toBe('embed_expired')
    expect((await embed(expired, '/data')).statusCode).toBe(410)
    const extended = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(expired.split('.')[0]!, 'base64url').toString()), exp: 4_000_000_000 })).toString('base64url')
    expect((await embed(`${extended}.${expired.split('.')[1]}`)).statusCode).toBe(403)
    // A valid signature on a deleted dashboard opens nothing.
    expect((await call('DELETE', `/dashboards/${board.id}`)).statusCode).toBe(204)
    expect((await embed(token)).statusCode).toBe(404)
  })

  it('invalidates earlier URLs when an owner or admin rotates the key; members may not rotate', async () => {
    const board = await sharedBoard(ctx, org)
    const first = await embedUrl(board.id)
    expect((await embed(first.token)).statusCode).toBe(200)
    const member = await addMember(ctx.app, org, 'member')
    const admin = await addMember(ctx.app, org, 'admin')
    expect((await call('POST', '/embed-key/rotate', member)).statusCode).toBe(403)
    expect((await embed(first.token)).statusCode).toBe(200)
    expect((await call('POST', '/embed-key/rotate', admin)).statusCode).toBe(204)
    const rotated = await embed(first.token)
    expect(rotated.statusCode).toBe(403)
    expect(rotated.json().error.code).toBe('embed_invalid')
    const second = await embedUrl(board.id)
    expect((await embed(second.token)).statusCode).toBe(200)
    // Only the current key is kept, and it is stored sealed.
    const { rows } = await ctx.admin.query<{ key_version: number; sealed_key: string }>('select key_version, sealed_key from app.embed_signing_keys where organization_id = $1', [org.id])
    expect(rows.map((r) => r.key_version)).toEqual([2])
    expect(rows[0]!.sealed_key).toMatch(/^v1:/)
  })

  it('needs the admin permission on the dashboard to sign a URL', async () => {
    const board = await sharedBoard(ctx, org)
    const member = await addMember(ctx.app, org, 'member')
    const stranger = await registerUser(ctx.app)
    expect((await call('PUT', `/dashboards/${board.id}/permissions`, org.owner, { permissions: [{ userId: member.userId, permission: 'edit' }] })).statusCode).toBe(200)
    expect((await call('POST', `/dashboards/${board.id}/embed-url`, member, {})).statusCode).toBe(403)
    expect((await call('POST', `/dashboards/${board.id}/embed-url`, stranger, {})).statusCode).toBe(404)
    expect((await call('POST', '/embed-key/rotate', stranger)).statusCode).toBe(404)
  })

  it('lets other sites frame embed pages only, as the setting allows', async () => {
    const page = await ctx.app.inject({ method: 'GET', url: '/embed/some-token' })
    expect(page.headers['x-frame-options']).toBeUndefined()
    expect(page.headers['content-security-policy']).toContain('frame-ancestors *')
    for (const url of ['/public/some-token', '/dashboards', '/api/v1/embed/some-token']) {
      const other = await ctx.app.inject({ method: 'GET', url })
      expect(other.headers['x-frame-options'], url).toBe('DENY')
      expect(other.headers['content-security-policy'], url).toContain("frame-ancestors 'none'")
    }
    await ctx.admin.query("update app.system_settings set setting_value = 'https://intranet.example.com' where setting_key = 'sharing.embed_frame_ancestors'")
    try {
      expect((await ctx.app.inject({ method: 'GET', url: '/embed/some-token' })).headers['content-security-policy']).toMatch(/frame-ancestors https:\/\/intranet\.example\.com(;|$)/)
      // A value that would add directives is not used.
      await ctx.admin.query("update app.system_settings set setting_value = '*; script-src *' where setting_key = 'sharing.embed_frame_ancestors'")
      expect((await ctx.app.inject({ method: 'GET', url: '/embed/some-token' })).headers['content-security-policy']).toContain("frame-ancestors 'none'")
    } finally {
      await ctx.admin.query("update app.system_settings set setting_value = '*' where setting_key = 'sharing.embed_frame_ancestors'")
    }
  })
})
