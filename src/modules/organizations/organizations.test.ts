import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, uniqueSlug } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

describe('organizations', () => {
  it('creates an organization whose creator is the owner and lists it with the role', async () => {
    const owner = await registerUser(ctx.app)
    const slug = uniqueSlug('acme')
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Acme', slug, description: 'Widgets' } })
    expect(created.statusCode).toBe(201)
    const org = created.json()
    expect(org).toMatchObject({ name: 'Acme', slug, description: 'Widgets', role: 'owner', status: 'active', settings: {} })

    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: owner.headers })
    expect(list.json().organizations).toEqual([expect.objectContaining({ id: org.id, role: 'owner' })])

    const one = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: owner.headers })
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ id: org.id, role: 'owner' })

    const { rows } = await ctx.admin.query('select role, status from app.organization_members where organization_id = $1', [org.id])
    expect(rows).toEqual([{ role: 'owner', status: 'active' }])
  })

  it('answers 409 slug_taken for a taken slug and 400 for a malformed one', async () => {
    const owner = await registerUser(ctx.app)
    const org = await createOrg(ctx.app, owner)
    const taken = await ctx.app.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Again', slug: org.slug } })
    expect(taken.statusCode).toBe(409)
    expect(taken.json().error).toMatchObject({ code: 'slug_taken', details: [{ field: 'slug' }] })
    for (const slug of ['Upper', '-lead', 'trail-', 'sp ace', '', 'x'.repeat(101)]) {
      const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Bad', slug } })
      expect(bad.statusCode, slug).toBe(400)
      expect(bad.json().error.code).toBe('validation_failed')
    }
    const single = await ctx.app.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'One', slug: uniqueSlug('a') } })
    expect(single.statusCode).toBe(201)
  })

  it('needs a signed-in user', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/orgs' })).statusCode).toBe(401)
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/orgs', payload: { name: 'X', slug: uniqueSlug() } })).statusCode).toBe(401)
  })

  it('lets owners and admins edit the profile, not members or viewers', async () => {
    const owner = await registerUser(ctx.app)
    const org = await createOrg(ctx.app, owner)
    const admin = await addMember(ctx.app, org, 'admin')
    const member = await addMember(ctx.app, org, 'member')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const patch = {
      name: 'Renamed',
      description: null,
      logoUrl: 'https://example.com/logo.png',
      websiteUrl: 'https://example.com',
      industry: 'Retail',
      size: '11-50',
      billingEmail: 'billing@example.com',
      settings: { theme: 'dark', weekStartsOn: 1 },
    }
    const byAdmin = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}`, headers: admin.headers, payload: patch })
    expect(byAdmin.statusCode).toBe(200)
    expect(byAdmin.json()).toMatchObject({ ...patch, role: 'admin' })
    const byOwner = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}`, headers: owner.headers, payload: { name: 'Again' } })
    expect(byOwner.json()).toMatchObject({ name: 'Again', industry: 'Retail', role: 'owner' })
    for (const session of [member, viewer]) {
      const denied = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}`, headers: session.headers, payload: { name: 'Nope' } })
      expect(denied.statusCode).toBe(403)
      expect(denied.json().error.code).toBe('forbidden')
    }
    const badUrl = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}`, headers: owner.headers, payload: { logoUrl: 'javascript:alert(1)' } })
    expect(badUrl.statusCode).toBe(400)
    const empty = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}`, headers: owner.headers, payload: {} })
    expect(empty.statusCode).toBe(400)
    const viewerRead = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: viewer.headers })
    expect(viewerRead.json()).toMatchObject({ name: 'Again', role: 'viewer' })
  })

  it('answers 404 to a user outside the organization, for any id', async () => {
    const owner = await registerUser(ctx.app)
    const org = await createOrg(ctx.app, owner)
    const stranger = await registerUser(ctx.app)
    for (const id of [org.id, '00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${id}`, headers: stranger.headers })
      expect(response.statusCode).toBe(404)
      expect(response.json().error.code).toBe('not_found')
    }
  })

  it('lets only the owner delete; deletion is soft and hides the organization', async () => {
    const owner = await registerUser(ctx.app)
    const org = await createOrg(ctx.app, owner)
    const admin = await addMember(ctx.app, org, 'admin')
    const invite = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/members`, headers: owner.headers, payload: { email: 'later@example.com', role: 'member' } })
    expect(invite.json().status).toBe('invited')

    const byAdmin = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}`, headers: admin.headers })
    expect(byAdmin.statusCode).toBe(403)
    const deleted = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}`, headers: owner.headers })
    expect(deleted.statusCode).toBe(204)

    const { rows } = await ctx.admin.query('select status, deleted_at from app.organizations where id = $1', [org.id])
    expect(rows[0].status).toBe('deleted')
    expect(rows[0].deleted_at).toBeInstanceOf(Date)
    const pending = await ctx.admin.query('select count(*)::int as n from app.invitations where organization_id = $1 and revoked_at is null', [org.id])
    expect(pending.rows[0].n).toBe(0)

    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: owner.headers })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/members`, headers: admin.headers })).statusCode).toBe(404)
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: owner.headers })
    expect(list.json().organizations).toEqual([])
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}`, headers: owner.headers })).statusCode).toBe(404)
    // The slug stays reserved by the deleted organization.
    const reuse = await ctx.app.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Reuse', slug: org.slug } })
    expect(reuse.statusCode).toBe(409)
  })
})
