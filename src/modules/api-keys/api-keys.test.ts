import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { addMember, bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

const keysUrl = (org: OrgFixture, keyId?: string) => `/api/v1/orgs/${org.id}/api-keys${keyId ? `/${keyId}` : ''}`

describe('API keys', () => {
  it('creates a key shown once; only its prefix and SHA-256 are stored', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
    const response = await ctx.app.inject({ method: 'POST', url: keysUrl(org), headers: org.owner.headers, payload: { name: 'Ingest', scopes: ['ingest', 'read'], expiresAt } })
    expect(response.statusCode).toBe(201)
    const created = response.json()
    expect(created.key).toMatch(/^tsk_[0-9a-f]{8}_[\w-]{43}$/)
    expect(created).toMatchObject({ name: 'Ingest', prefix: created.key.slice(0, 12), scopes: ['ingest', 'read'], expiresAt, revokedAt: null, createdBy: org.owner.userId })

    const { rows } = await ctx.admin.query('select prefix, key_hash from auth.api_keys where id = $1', [created.id])
    expect(rows[0]).toEqual({ prefix: created.key.slice(0, 12), key_hash: createHash('sha256').update(created.key).digest('hex') })

    const list = await ctx.app.inject({ method: 'GET', url: keysUrl(org), headers: org.owner.headers })
    const { key: _secret, ...listed } = created
    expect(list.json().apiKeys).toEqual([listed])
    expect(list.body).not.toContain(created.key.slice(13))
    expect(list.body).not.toContain(rows[0].key_hash)

    const events = await ctx.admin.query("select count(*)::int as n from audit.audit_log where event_type = 'api_key_created' and organization_id = $1", [org.id])
    expect(events.rows[0].n).toBe(1)
  })

  it('authenticates as its creator on the read routes of its organization', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const { key } = await createApiKey(ctx.app, org, ['read'])
    const one = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: bearer(key) })
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ id: org.id, role: 'owner' })
    const members = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/members`, headers: bearer(key) })
    expect(members.json().members[0].userId).toBe(org.owner.userId)
    const { rows } = await ctx.admin.query('select last_used_at from auth.api_keys where key_hash = $1', [createHash('sha256').update(key).digest('hex')])
    expect(rows[0].last_used_at).toBeInstanceOf(Date)
  })

  it("answers 404 when a key of organization A is used on B's routes", async () => {
    const orgA = await createOrg(ctx.app, await registerUser(ctx.app))
    const owner = await registerUser(ctx.app)
    const orgB = await createOrg(ctx.app, owner)
    // The same person owns both organizations: the key is still bound to A.
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/members`, headers: orgA.owner.headers, payload: { email: owner.email, role: 'owner' } })
    const { key } = await createApiKey(ctx.app, orgA, ['read', 'admin'], owner)
    for (const path of ['', '/members', '/teams']) {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgB.id}${path}`, headers: bearer(key) })
      expect(response.statusCode).toBe(404)
    }
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgA.id}`, headers: bearer(key) })).statusCode).toBe(200)
  })

  it('answers 401 for a revoked key, and the revocation is recorded', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const { id, key } = await createApiKey(ctx.app, org, ['read'])
    const revoked = await ctx.app.inject({ method: 'DELETE', url: keysUrl(org, id), headers: org.owner.headers })
    expect(revoked.statusCode).toBe(204)
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: bearer(key) })
    expect(response.statusCode).toBe(401)
    expect(response.json().error.code).toBe('unauthenticated')
    const { rows } = await ctx.admin.query('select revoked_at, revoked_by from auth.api_keys where id = $1', [id])
    expect(rows[0]).toMatchObject({ revoked_at: expect.any(Date), revoked_by: org.owner.userId })
    const events = await ctx.admin.query("select count(*)::int as n from audit.audit_log where event_type = 'api_key_revoked' and organization_id = $1", [org.id])
    expect(events.rows[0].n).toBe(1)
    expect((await ctx.app.inject({ method: 'DELETE', url: keysUrl(org, id), headers: org.owner.headers })).statusCode).toBe(204)
  })

  it('lets an admin revoke a key another admin created', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const admin = await addMember(ctx.app, org, 'admin')
    const { id } = await createApiKey(ctx.app, org, ['read'])
    expect((await ctx.app.inject({ method: 'DELETE', url: keysUrl(org, id), headers: admin.headers })).statusCode).toBe(204)
  })

  it('enforces scopes and refuses keys on session-only routes', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const ingest = await createApiKey(ctx.app, org, ['ingest'])
    const scoped = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: bearer(ingest.key) })
    expect(scoped.statusCode).toBe(403)
    expect(scoped.json().error.code).toBe('insufficient_scope')
    const admin = await createApiKey(ctx.app, org, ['admin'])
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: bearer(admin.key) })).statusCode).toBe(200)
    for (const request of [
      { method: 'GET' as const, url: '/api/v1/orgs' },
      { method: 'GET' as const, url: keysUrl(org) },
      { method: 'POST' as const, url: keysUrl(org), payload: { name: 'minted', scopes: ['admin'] } },
      { method: 'PATCH' as const, url: `/api/v1/orgs/${org.id}`, payload: { name: 'By key' } },
    ]) {
      const response = await ctx.app.inject({ ...request, headers: bearer(admin.key) })
      expect(response.statusCode, request.url).toBe(401)
    }
  })

  it('ignores the session cookie on a bearer request', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: { cookie: org.owner.cookie, authorization: 'Bearer tsk_00000000_not-a-real-key' } })
    expect(response.statusCode).toBe(401)
  })

  it('keeps key management to owners and admins and validates the body', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const member = await addMember(ctx.app, org, 'member')
    expect((await ctx.app.inject({ method: 'GET', url: keysUrl(org), headers: member.headers })).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'POST', url: keysUrl(org), headers: member.headers, payload: { name: 'x', scopes: ['read'] } })).statusCode).toBe(403)
    for (const payload of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['root'] },
      { name: 'x', scopes: ['read', 'read'] },
      { name: '', scopes: ['read'] },
      { name: 'x', scopes: ['read'], expiresAt: new Date(Date.now() - 1000).toISOString() },
    ]) {
      const response = await ctx.app.inject({ method: 'POST', url: keysUrl(org), headers: org.owner.headers, payload })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
    }
  })

  it('stops working once it expires', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const { id, key } = await createApiKey(ctx.app, org, ['read'])
    await ctx.admin.query("update auth.api_keys set expires_at = now() - interval '1 second' where id = $1", [id])
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: bearer(key) })).statusCode).toBe(401)
  })
})
