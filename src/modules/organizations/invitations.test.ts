import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, PASSWORD, login, registerUser, uniqueEmail, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

async function invite(org: OrgFixture, email: string, role = 'member'): Promise<{ id: string; token: string }> {
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/members`, headers: org.owner.headers, payload: { email, role } })
  expect(response.statusCode).toBe(201)
  const body = response.json()
  expect(body).toMatchObject({ status: 'invited', invitation: { email, role, expiresAt: expect.any(String) } })
  const { rows } = await ctx.admin.query(
    "select body_text from app.mail_outbox where to_address = $1 and template = 'organization_invitation' order by created_at desc limit 1",
    [email],
  )
  const token = /\/invite\?token=([\w-]+)/.exec(rows[0]?.body_text ?? '')?.[1]
  if (!token) {
    throw new Error('no invitation link in the outbox')
  }
  return { id: body.invitation.id, token }
}

describe('invitations', () => {
  it('invites an unknown address; registering with the token makes them a member', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app), { name: 'Invite Co' })
    const email = uniqueEmail('newcomer')
    const { id, token } = await invite(org, email, 'admin')

    const { rows } = await ctx.admin.query('select token_hash, expires_at - created_at as ttl from app.invitations where id = $1', [id])
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(rows[0].ttl).toMatchObject({ days: 7 })
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)

    const preview = await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${token}` })
    expect(preview.statusCode).toBe(200)
    expect(preview.json()).toEqual({ organizationName: 'Invite Co', email, role: 'admin', expiresAt: expect.any(String) })

    const registered = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, name: 'New Comer', invitationToken: token } })
    expect(registered.statusCode).toBe(202)
    const session = await login(ctx.app, email)
    const orgs = await ctx.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: session.headers })
    expect(orgs.json().organizations).toEqual([expect.objectContaining({ id: org.id, role: 'admin' })])

    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/invitations`, headers: org.owner.headers })
    expect(list.json().invitations).toEqual([expect.objectContaining({ id, email, status: 'accepted', invitedBy: org.owner.userId })])
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${token}` })).statusCode).toBe(404)
  })

  it('lets a signed-in user accept an invitation sent to their address, once', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const email = uniqueEmail()
    const { token } = await invite(org, email)
    const user = await registerUser(ctx.app, { email })
    const accepted = await ctx.app.inject({ method: 'POST', url: `/api/v1/invitations/${token}/accept`, headers: user.headers })
    expect(accepted.statusCode).toBe(200)
    expect(accepted.json()).toEqual({ organizationId: org.id })
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: user.headers })).json().role).toBe('member')
    const twice = await ctx.app.inject({ method: 'POST', url: `/api/v1/invitations/${token}/accept`, headers: user.headers })
    expect(twice.statusCode).toBe(404)
  })

  it('refuses an invitation to another address with 403 invitation_email_mismatch', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const { token } = await invite(org, uniqueEmail())
    const someoneElse = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/invitations/${token}/accept`, headers: someoneElse.headers })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('invitation_email_mismatch')
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: someoneElse.headers })).statusCode).toBe(404)
  })

  it('needs a session to accept', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const { token } = await invite(org, uniqueEmail())
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/invitations/${token}/accept` })).statusCode).toBe(401)
  })

  it('revokes an invitation: the link stops working', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const email = uniqueEmail()
    const { id, token } = await invite(org, email)
    const revoked = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/invitations/${id}`, headers: org.owner.headers })
    expect(revoked.statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${token}` })).statusCode).toBe(404)
    const user = await registerUser(ctx.app, { email })
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/invitations/${token}/accept`, headers: user.headers })).statusCode).toBe(404)
    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/invitations`, headers: org.owner.headers })
    expect(list.json().invitations).toEqual([expect.objectContaining({ id, status: 'revoked', revokedAt: expect.any(String) })])
  })

  it('supersedes an earlier invitation to the same address', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const email = uniqueEmail()
    const first = await invite(org, email)
    const second = await invite(org, email, 'viewer')
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${first.token}` })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${second.token}` })).json().role).toBe('viewer')
  })

  it('answers 404 for an expired or unknown token', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const { id, token } = await invite(org, uniqueEmail())
    await ctx.admin.query("update app.invitations set expires_at = now() - interval '1 minute', created_at = now() - interval '8 days' where id = $1", [id])
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${token}` })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/invitations/${'x'.repeat(43)}` })).statusCode).toBe(404)
    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/invitations`, headers: org.owner.headers })
    expect(list.json().invitations[0].status).toBe('expired')
  })

  it('keeps invitations to owners and admins', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const member = await registerUser(ctx.app)
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/members`, headers: org.owner.headers, payload: { email: member.email, role: 'member' } })
    const { id } = await invite(org, uniqueEmail())
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/invitations`, headers: member.headers })).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/invitations/${id}`, headers: member.headers })).statusCode).toBe(403)
  })
})
