import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, uniqueEmail, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

const membersUrl = (org: OrgFixture, userId?: string) => `/api/v1/orgs/${org.id}/members${userId ? `/${userId}` : ''}`

async function newOrg(): Promise<OrgFixture> {
  return createOrg(ctx.app, await registerUser(ctx.app))
}

async function activeOwners(org: OrgFixture): Promise<number> {
  const { rows } = await ctx.admin.query("select count(*)::int as n from app.organization_members where organization_id = $1 and role = 'owner' and status = 'active'", [org.id])
  return rows[0].n as number
}

function patchMember(org: OrgFixture, by: Session, userId: string, payload: Record<string, unknown>) {
  return ctx.app.inject({ method: 'PATCH', url: membersUrl(org, userId), headers: by.headers, payload })
}

describe('organization members', () => {
  it('adds an existing account directly, mails them, and they see the organization', async () => {
    const org = await newOrg()
    const user = await registerUser(ctx.app, { name: 'Ada Lovelace' })
    const added = await ctx.app.inject({ method: 'POST', url: membersUrl(org), headers: org.owner.headers, payload: { email: user.email.toUpperCase(), role: 'member' } })
    expect(added.statusCode).toBe(201)
    expect(added.json()).toMatchObject({ status: 'added', member: { userId: user.userId, email: user.email, name: 'Ada Lovelace', role: 'member', status: 'active' } })
    expect(added.json().member.joinedAt).toEqual(expect.any(String))

    const { rows } = await ctx.admin.query("select subject from app.mail_outbox where to_address = $1 and template = 'member_added'", [user.email])
    expect(rows).toHaveLength(1)
    const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: user.headers })
    expect(mine.json().organizations).toEqual([expect.objectContaining({ id: org.id, role: 'member' })])

    const list = await ctx.app.inject({ method: 'GET', url: membersUrl(org), headers: user.headers })
    expect(list.statusCode).toBe(200)
    expect(list.json().members.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort()).toEqual(
      [[org.owner.userId, 'owner'], [user.userId, 'member']].sort(),
    )
    const again = await ctx.app.inject({ method: 'POST', url: membersUrl(org), headers: org.owner.headers, payload: { email: user.email, role: 'admin' } })
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('already_member')
  })

  it('does not let members or viewers add anyone', async () => {
    const org = await newOrg()
    for (const role of ['member', 'viewer'] as const) {
      const session = await addMember(ctx.app, org, role)
      const response = await ctx.app.inject({ method: 'POST', url: membersUrl(org), headers: session.headers, payload: { email: uniqueEmail(), role: 'viewer' } })
      expect(response.statusCode).toBe(403)
      expect(response.json().error.code).toBe('forbidden')
    }
  })

  it('does not let an admin grant the owner role or touch an owner', async () => {
    const org = await newOrg()
    const admin = await addMember(ctx.app, org, 'admin')
    const member = await addMember(ctx.app, org, 'member')
    const invite = await ctx.app.inject({ method: 'POST', url: membersUrl(org), headers: admin.headers, payload: { email: uniqueEmail(), role: 'owner' } })
    expect(invite.statusCode).toBe(403)
    expect((await patchMember(org, admin, member.userId, { role: 'owner' })).statusCode).toBe(403)
    expect((await patchMember(org, admin, org.owner.userId, { role: 'member' })).statusCode).toBe(403)
    expect((await patchMember(org, admin, org.owner.userId, { status: 'suspended' })).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, org.owner.userId), headers: admin.headers })).statusCode).toBe(403)
    expect((await patchMember(org, admin, member.userId, { role: 'viewer' })).json()).toMatchObject({ userId: member.userId, role: 'viewer' })
    expect(await activeOwners(org)).toBe(1)
  })

  it('keeps the last owner: it cannot leave, be demoted or be suspended', async () => {
    const org = await newOrg()
    const owner = org.owner
    const demote = await patchMember(org, owner, owner.userId, { role: 'admin' })
    expect(demote.statusCode).toBe(409)
    expect(demote.json().error.code).toBe('last_owner')
    expect((await patchMember(org, owner, owner.userId, { status: 'suspended' })).json().error.code).toBe('last_owner')
    const leave = await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, owner.userId), headers: owner.headers })
    expect(leave.statusCode).toBe(409)
    expect(leave.json().error.code).toBe('last_owner')
    expect(await activeOwners(org)).toBe(1)
  })

  it('hands ownership over: promote another owner, then step down and leave', async () => {
    const org = await newOrg()
    const next = await addMember(ctx.app, org, 'admin')
    expect((await patchMember(org, org.owner, next.userId, { role: 'owner' })).json().role).toBe('owner')
    expect((await patchMember(org, org.owner, org.owner.userId, { role: 'member' })).json().role).toBe('member')
    const leave = await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, org.owner.userId), headers: org.owner.headers })
    expect(leave.statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: org.owner.headers })).statusCode).toBe(404)
    const lastLeave = await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, next.userId), headers: next.headers })
    expect(lastLeave.json().error.code).toBe('last_owner')
    expect(await activeOwners(org)).toBe(1)
  })

  it('keeps an owner when two owners demote each other at the same time', async () => {
    const org = await newOrg()
    const second = await addMember(ctx.app, org, 'owner')
    const [a, b] = await Promise.all([
      patchMember(org, org.owner, second.userId, { role: 'member' }),
      patchMember(org, second, org.owner.userId, { role: 'member' }),
    ])
    // The loser is refused either by the owner count (409 last_owner) or, when its own
    // demotion committed first, by its lost role (403/404); never do both succeed.
    const codes = [a.statusCode, b.statusCode].sort()
    expect(codes[0]).toBe(200)
    expect([403, 404, 409]).toContain(codes[1])
    expect(await activeOwners(org)).toBe(1)
  })

  it('lets any member leave, but only owners and admins remove others', async () => {
    const org = await newOrg()
    const member = await addMember(ctx.app, org, 'member')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const denied = await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, viewer.userId), headers: member.headers })
    expect(denied.statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, member.userId), headers: member.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: member.headers })).json().organizations).toEqual([])
    expect((await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, viewer.userId), headers: org.owner.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, viewer.userId), headers: org.owner.headers })).statusCode).toBe(404)
  })

  it("revokes a removed member's API keys", async () => {
    const org = await newOrg()
    const admin = await addMember(ctx.app, org, 'admin')
    const key = await createApiKey(ctx.app, org, ['read'], admin)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: bearer(key.key) })).statusCode).toBe(200)
    expect((await ctx.app.inject({ method: 'DELETE', url: membersUrl(org, admin.userId), headers: org.owner.headers })).statusCode).toBe(204)
    const { rows } = await ctx.admin.query('select revoked_at, revoked_by from auth.api_keys where id = $1', [key.id])
    expect(rows[0]).toMatchObject({ revoked_at: expect.any(Date), revoked_by: org.owner.userId })
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: bearer(key.key) })).statusCode).toBe(401)
  })

  it('shuts a suspended member out until reactivated', async () => {
    const org = await newOrg()
    const member = await addMember(ctx.app, org, 'member')
    expect((await patchMember(org, org.owner, member.userId, { status: 'suspended' })).json().status).toBe('suspended')
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: member.headers })).statusCode).toBe(404)
    expect((await patchMember(org, org.owner, member.userId, { status: 'active' })).json().status).toBe('active')
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: member.headers })).statusCode).toBe(200)
  })

  it('answers 404 for a user who is not a member, and 400 for a malformed body', async () => {
    const org = await newOrg()
    const stranger = await registerUser(ctx.app)
    expect((await patchMember(org, org.owner, stranger.userId, { role: 'admin' })).statusCode).toBe(404)
    expect((await patchMember(org, org.owner, stranger.userId, {})).statusCode).toBe(400)
    expect((await patchMember(org, org.owner, stranger.userId, { status: 'removed' })).statusCode).toBe(400)
    const badRole = await ctx.app.inject({ method: 'POST', url: membersUrl(org), headers: org.owner.headers, payload: { email: uniqueEmail(), role: 'god' } })
    expect(badRole.statusCode).toBe(400)
  })
})
