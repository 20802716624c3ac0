import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, login, registerUser, testConfig, type TestContext } from '../../test/app.ts'
import { addMember, bearer, createApiKey, createOrg, type OrgFixture } from '../../test/tenancy.ts'
import { buildApp, type App } from '../app.ts'
import { AccessCache, sharedAccessCache } from './auth-cache.ts'
import { createDatabase, type Database } from './db.ts'
import { createServices, type Services } from './services.ts'

/**
 * The short-lived session and access answers (issue 5) on real PostgreSQL: a revocation counts
 * on the very next request of the process that made it, and within the cap in a second app on
 * the same database (LISTEN/NOTIFY); removals of membership or permission answer 404 at once.
 */

let ctx: TestContext
/** A second server process, as far as the cache is concerned: its own services and LISTEN connection. */
let second: { app: App; services: Services; database: Database }
let org: OrgFixture
let dashboardId: string

beforeAll(async () => {
  ctx = await createTestApp()
  const database = createDatabase(ctx.testDb.runtimeUrl)
  // Settings cached as in production (tests default to reading them every time).
  const services = createServices(testConfig(), database, ctx.testDb.ownerUrl)
  const app = await buildApp(services)
  await app.ready()
  second = { app, services, database }
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/dashboards`, headers: org.owner.headers, payload: { name: 'Cached access' } })
  expect(created.statusCode, created.body).toBe(201)
  dashboardId = created.json().id
  const widget = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/widgets`,
    headers: org.owner.headers,
    payload: { type: 'text', title: 'Notes', position: { x: 0, y: 0, w: 4, h: 2 }, config: { markdown: '# Notes' } },
  })
  expect(widget.statusCode, widget.body).toBe(201)
})
afterAll(async () => {
  await second?.app.close()
  await second?.database.close()
  await ctx?.close()
})

const dataUrl = () => `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/data`
const data = (app: App, headers: Record<string, string>) => app.inject({ method: 'GET', url: dataUrl(), headers })

/** Until both processes' caches listen (the first request starts LISTEN in the background). */
async function cachesListening(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (sharedAccessCache(ctx.services).active && sharedAccessCache(second.services).active) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('the access caches never started listening')
}

/** Asks the same thing again until the answer has the status, for at most about two seconds. */
async function statusWithin(ask: () => Promise<{ statusCode: number }>, status: number): Promise<number> {
  let last = 0
  for (let i = 0; i < 40; i++) {
    last = (await ask()).statusCode
    if (last === status) return last
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return last
}

/** Warms both processes for these credentials and proves the answers are cached. */
async function warm(headers: Record<string, string>): Promise<void> {
  for (const app of [ctx.app, second.app]) {
    expect((await data(app, headers)).statusCode).toBe(200)
  }
  await cachesListening()
  for (const app of [ctx.app, second.app]) {
    expect((await data(app, headers)).statusCode).toBe(200)
  }
  expect(sharedAccessCache(ctx.services).size).toBeGreaterThan(0)
  expect(sharedAccessCache(second.services).size).toBeGreaterThan(0)
}

describe('cached sessions and API keys', () => {
  it('refuses a signed-out session on the next request here and within the cap in another process', async () => {
    const member = await addMember(ctx.app, org, 'member')
    const other = await login(ctx.app, member.email)
    await warm(member.headers)
    await warm(other.headers)
    const out = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: member.headers })
    expect(out.statusCode, out.body).toBeLessThan(300)
    expect((await data(ctx.app, member.headers)).statusCode).toBe(401)
    expect(await statusWithin(() => data(second.app, member.headers), 401)).toBe(401)
    // Only that session: the user's other session still works in both.
    expect((await data(ctx.app, other.headers)).statusCode).toBe(200)
    expect((await data(second.app, other.headers)).statusCode).toBe(200)
  })

  it('refuses a session revoked from the account page, here and in another process', async () => {
    const member = await addMember(ctx.app, org, 'member')
    const revoker = await login(ctx.app, member.email)
    await warm(member.headers)
    const sessions = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: revoker.headers })
    expect(sessions.statusCode, sessions.body).toBe(200)
    const list = (sessions.json() as { sessions: Array<{ id: string; current: boolean }> }).sessions
    const target = list.find((s) => !s.current)
    expect(target).toBeDefined()
    const revoked = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${target!.id}`, headers: revoker.headers })
    expect(revoked.statusCode, revoked.body).toBeLessThan(300)
    expect((await data(ctx.app, member.headers)).statusCode).toBe(401)
    expect(await statusWithin(() => data(second.app, member.headers), 401)).toBe(401)
  })

  it('refuses a revoked API key on the next request here and within the cap in another process', async () => {
    const key = await createApiKey(ctx.app, org, ['read'])
    await warm(bearer(key.key))
    const revoked = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/api-keys/${key.id}`, headers: org.owner.headers })
    expect(revoked.statusCode, revoked.body).toBeLessThan(300)
    expect((await data(ctx.app, bearer(key.key))).statusCode).toBe(401)
    expect(await statusWithin(() => data(second.app, bearer(key.key)), 401)).toBe(401)
  })

  it('refuses a user suspended directly in the database, in both processes within the cap', async () => {
    const member = await addMember(ctx.app, org, 'member')
    await warm(member.headers)
    // No request of either process made this change: only the notification tells them.
    await ctx.admin.query(`update auth.users set status = 'suspended' where id = $1`, [member.userId])
    expect(await statusWithin(() => data(ctx.app, member.headers), 401)).toBe(401)
    expect(await statusWithin(() => data(second.app, member.headers), 401)).toBe(401)
  })
})

describe('cached organization and dashboard access', () => {
  it('answers 404 right after the user is removed from the organization, and in another process within the cap', async () => {
    const member = await addMember(ctx.app, org, 'member')
    await warm(member.headers)
    const removed = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/members/${member.userId}`, headers: org.owner.headers })
    expect(removed.statusCode, removed.body).toBeLessThan(300)
    expect((await data(ctx.app, member.headers)).statusCode).toBe(404)
    expect(await statusWithin(() => data(second.app, member.headers), 404)).toBe(404)
  })

  it('answers 404 right after the dashboard is restricted to others, and in another process within the cap', async () => {
    const member = await addMember(ctx.app, org, 'member')
    const keeper = await addMember(ctx.app, org, 'member')
    await warm(member.headers)
    const restricted = await ctx.app.inject({
      method: 'PUT',
      url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/permissions`,
      headers: org.owner.headers,
      payload: { permissions: [{ userId: keeper.userId, permission: 'view' }] },
    })
    expect(restricted.statusCode, restricted.body).toBe(200)
    expect((await data(ctx.app, member.headers)).statusCode).toBe(404)
    expect(await statusWithin(() => data(second.app, member.headers), 404)).toBe(404)
    expect((await data(ctx.app, keeper.headers)).statusCode).toBe(200)
    const opened = await ctx.app.inject({ method: 'PUT', url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/permissions`, headers: org.owner.headers, payload: { permissions: [] } })
    expect(opened.statusCode, opened.body).toBe(200)
    expect((await data(ctx.app, member.headers)).statusCode).toBe(200)
  })

  it('serves an edited dashboard, not the cached version, on the next request', async () => {
    await warm(org.owner.headers)
    const added = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/widgets`,
      headers: org.owner.headers,
      payload: { type: 'text', title: 'Added later', position: { x: 4, y: 0, w: 4, h: 2 }, config: { markdown: 'new' } },
    })
    expect(added.statusCode, added.body).toBe(201)
    const here = await data(ctx.app, org.owner.headers)
    expect(here.json().widgets.map((w: { id: string }) => w.id)).toContain(added.json().id)
    let there: string[] = []
    for (let i = 0; i < 40 && !there.includes(added.json().id); i++) {
      there = (await data(second.app, org.owner.headers)).json().widgets.map((w: { id: string }) => w.id)
      if (!there.includes(added.json().id)) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(there).toContain(added.json().id)
  })

  it('still refuses another organization and an unknown dashboard', async () => {
    const stranger = await registerUser(ctx.app)
    await createOrg(ctx.app, stranger)
    expect((await data(ctx.app, stranger.headers)).statusCode).toBe(404)
    const unknown = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/dashboards/00000000-0000-4000-8000-000000000000/data`, headers: org.owner.headers })
    expect(unknown.statusCode).toBe(404)
  })
})

describe('the access cache itself', () => {
  it('answers warm dashboard-data requests without taking a database connection', async () => {
    const key = await createApiKey(ctx.app, org, ['read'])
    await warm(org.owner.headers)
    await warm(bearer(key.key))
    let checkouts = 0
    const count = () => (checkouts += 1)
    second.services.pool.on('acquire', count)
    try {
      for (let i = 0; i < 10; i++) {
        expect((await data(second.app, org.owner.headers)).statusCode).toBe(200)
        expect((await data(second.app, bearer(key.key))).statusCode).toBe(200)
      }
    } finally {
      second.services.pool.off('acquire', count)
    }
    // Uncached, each of these 20 requests takes two (the credential, then the access check);
    // the request log's batched write or a settings refresh may take one or two.
    expect(checkouts).toBeLessThan(5)
  })

  it('empties as a state-changing request answers, before the client can ask again', async () => {
    await warm(org.owner.headers)
    const cache = sharedAccessCache(ctx.services)
    expect(cache.size).toBeGreaterThan(0)
    // A change that touches nobody's access still clears: the process cannot tell which do.
    const starred = await ctx.app.inject({ method: 'PUT', url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/star`, headers: org.owner.headers })
    expect(starred.statusCode, starred.body).toBeLessThan(300)
    expect(cache.size).toBe(0)
  })

  it('does not store an answer whose lookup overlapped an invalidation, and drops entries by user and organization', async () => {
    const cache = new AccessCache(ctx.database.pool.options)
    try {
      expect(cache.active).toBe(false)
      for (let i = 0; i < 100 && !cache.active; i++) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(cache.active).toBe(true)
      let release: () => void = () => undefined
      const slow = cache.through('racing', () => new Promise<string>((resolve) => (release = () => resolve('old answer'))), () => ({ userId: 'u1' }))
      cache.invalidate({ user: 'someone else' })
      release()
      expect(await slow).toBe('old answer')
      expect(cache.get('racing')).toBeUndefined()

      await cache.through('a', async () => 'A', () => ({ userId: 'u1', orgId: 'o1' }))
      await cache.through('b', async () => 'B', () => ({ userId: 'u2', orgId: 'o2' }))
      await cache.through('refused', async () => undefined, () => ({ userId: 'u3' }))
      expect(cache.size).toBe(2)
      cache.invalidate({ org: 'o1' })
      expect(cache.get('a')).toBeUndefined()
      expect(cache.get('b')).toBe('B')
      cache.invalidate({ user: 'u2' })
      expect(cache.size).toBe(0)
    } finally {
      await cache.stop()
    }
  })
})
