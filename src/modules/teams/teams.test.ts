import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { addMember, bearer, createApiKey, createOrg, createTeam, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

const teamsUrl = (org: OrgFixture, rest = '') => `/api/v1/orgs/${org.id}/teams${rest}`

describe('teams', () => {
  it('creates, lists, reads, renames and deletes a team', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const created = await ctx.app.inject({ method: 'POST', url: teamsUrl(org), headers: org.owner.headers, payload: { name: 'Analysts', description: 'Numbers people' } })
    expect(created.statusCode).toBe(201)
    const team = created.json()
    expect(team).toMatchObject({ name: 'Analysts', description: 'Numbers people', memberCount: 0 })

    const list = await ctx.app.inject({ method: 'GET', url: teamsUrl(org), headers: org.owner.headers })
    expect(list.json().teams).toEqual([team])
    expect((await ctx.app.inject({ method: 'GET', url: teamsUrl(org, `/${team.id}`), headers: org.owner.headers })).json()).toEqual(team)

    const renamed = await ctx.app.inject({ method: 'PATCH', url: teamsUrl(org, `/${team.id}`), headers: org.owner.headers, payload: { name: 'Data', description: null } })
    expect(renamed.json()).toMatchObject({ id: team.id, name: 'Data', description: null })

    expect((await ctx.app.inject({ method: 'DELETE', url: teamsUrl(org, `/${team.id}`), headers: org.owner.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: teamsUrl(org, `/${team.id}`), headers: org.owner.headers })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'DELETE', url: teamsUrl(org, `/${team.id}`), headers: org.owner.headers })).statusCode).toBe(404)
  })

  it('answers 409 for a team name already used in the organization', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    await createTeam(ctx.app, org, 'Ops')
    const other = await createTeam(ctx.app, org, 'Dev')
    const dup = await ctx.app.inject({ method: 'POST', url: teamsUrl(org), headers: org.owner.headers, payload: { name: 'Ops' } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().error.details).toEqual([{ field: 'name', message: 'is already taken' }])
    const rename = await ctx.app.inject({ method: 'PATCH', url: teamsUrl(org, `/${other}`), headers: org.owner.headers, payload: { name: 'Ops' } })
    expect(rename.statusCode).toBe(409)
    // Another organization may use the same name.
    const elsewhere = await createOrg(ctx.app, await registerUser(ctx.app))
    await createTeam(ctx.app, elsewhere, 'Ops')
  })

  it('lets every member read teams but only owners and admins write', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const admin = await addMember(ctx.app, org, 'admin')
    const member = await addMember(ctx.app, org, 'member')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const byAdmin = await ctx.app.inject({ method: 'POST', url: teamsUrl(org), headers: admin.headers, payload: { name: 'By admin' } })
    expect(byAdmin.statusCode).toBe(201)
    const teamId = byAdmin.json().id
    for (const session of [member, viewer]) {
      expect((await ctx.app.inject({ method: 'GET', url: teamsUrl(org), headers: session.headers })).json().teams).toHaveLength(1)
      expect((await ctx.app.inject({ method: 'GET', url: teamsUrl(org, `/${teamId}/members`), headers: session.headers })).statusCode).toBe(200)
      const writes = [
        ctx.app.inject({ method: 'POST', url: teamsUrl(org), headers: session.headers, payload: { name: 'Nope' } }),
        ctx.app.inject({ method: 'PATCH', url: teamsUrl(org, `/${teamId}`), headers: session.headers, payload: { name: 'Nope' } }),
        ctx.app.inject({ method: 'DELETE', url: teamsUrl(org, `/${teamId}`), headers: session.headers }),
        ctx.app.inject({ method: 'POST', url: teamsUrl(org, `/${teamId}/members`), headers: session.headers, payload: { userId: session.userId } }),
        ctx.app.inject({ method: 'DELETE', url: teamsUrl(org, `/${teamId}/members/${session.userId}`), headers: session.headers }),
      ]
      for (const response of await Promise.all(writes)) {
        expect(response.statusCode).toBe(403)
      }
    }
  })

  it('adds organization members to a team, and refuses anyone else with 400', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const member = await addMember(ctx.app, org, 'member')
    const stranger = await registerUser(ctx.app)
    const teamId = await createTeam(ctx.app, org)

    const added = await ctx.app.inject({ method: 'POST', url: teamsUrl(org, `/${teamId}/members`), headers: org.owner.headers, payload: { userId: member.userId, role: 'maintainer' } })
    expect(added.statusCode).toBe(201)
    expect(added.json()).toMatchObject({ userId: member.userId, email: member.email, role: 'maintainer' })
    const dup = await ctx.app.inject({ method: 'POST', url: teamsUrl(org, `/${teamId}/members`), headers: org.owner.headers, payload: { userId: member.userId } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().error.code).toBe('already_member')

    const outsider = await ctx.app.inject({ method: 'POST', url: teamsUrl(org, `/${teamId}/members`), headers: org.owner.headers, payload: { userId: stranger.userId } })
    expect(outsider.statusCode).toBe(400)
    expect(outsider.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'body.userId' }] })

    const defaultRole = await ctx.app.inject({ method: 'POST', url: teamsUrl(org, `/${teamId}/members`), headers: org.owner.headers, payload: { userId: org.owner.userId } })
    expect(defaultRole.json().role).toBe('member')
    const members = await ctx.app.inject({ method: 'GET', url: teamsUrl(org, `/${teamId}/members`), headers: member.headers })
    expect(members.json().members.map((m: { userId: string }) => m.userId).sort()).toEqual([member.userId, org.owner.userId].sort())
    expect((await ctx.app.inject({ method: 'GET', url: teamsUrl(org, `/${teamId}`), headers: member.headers })).json().memberCount).toBe(2)

    const removed = await ctx.app.inject({ method: 'DELETE', url: teamsUrl(org, `/${teamId}/members/${org.owner.userId}`), headers: org.owner.headers })
    expect(removed.statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'DELETE', url: teamsUrl(org, `/${teamId}/members/${org.owner.userId}`), headers: org.owner.headers })).statusCode).toBe(404)
  })

  it('drops team memberships when someone leaves the organization', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const member = await addMember(ctx.app, org, 'member')
    const teamId = await createTeam(ctx.app, org)
    await ctx.app.inject({ method: 'POST', url: teamsUrl(org, `/${teamId}/members`), headers: org.owner.headers, payload: { userId: member.userId } })
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/members/${member.userId}`, headers: member.headers })).statusCode).toBe(204)
    const { rows } = await ctx.admin.query('select count(*)::int as n from app.team_members where team_id = $1', [teamId])
    expect(rows[0].n).toBe(0)
  })

  it('serves team reads to an API key with the read scope', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const teamId = await createTeam(ctx.app, org, 'Keyed')
    const key = await createApiKey(ctx.app, org, ['read'])
    const list = await ctx.app.inject({ method: 'GET', url: teamsUrl(org), headers: bearer(key.key) })
    expect(list.json().teams.map((t: { id: string }) => t.id)).toEqual([teamId])
    expect((await ctx.app.inject({ method: 'GET', url: teamsUrl(org, `/${teamId}/members`), headers: bearer(key.key) })).statusCode).toBe(200)
    const write = await ctx.app.inject({ method: 'POST', url: teamsUrl(org), headers: bearer(key.key), payload: { name: 'By key' } })
    expect(write.statusCode).toBe(401)
  })
})
