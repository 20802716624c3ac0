import { randomInt } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../app.ts'
import { addMember, bearer, createApiKey, createOrg, createTeam } from '../tenancy.ts'

/**
 * 10,000 concurrent requests from several organizations, interleaved at random over one pg
 * pool of 10 connections: the tenant context is transaction-local (set_config(…, true)), so
 * no response may ever carry another organization's ids. Durations are not asserted.
 */

const ORGS = 6
const REQUESTS = 10_000
const BATCH = 500

interface Tenant {
  orgId: string
  teamIds: string[]
  userIds: string[]
  /** Credentials: the owner's session and a read key; requests alternate between them at random. */
  credentials: Record<string, string>[]
}

let ctx: TestContext
const tenants: Tenant[] = []

beforeAll(async () => {
  ctx = await createTestApp({ poolSize: 10 })
  for (let i = 0; i < ORGS; i++) {
    const owner = await registerUser(ctx.app)
    const org = await createOrg(ctx.app, owner)
    const members = [await addMember(ctx.app, org, 'member'), await addMember(ctx.app, org, 'viewer')]
    const teamIds = [await createTeam(ctx.app, org, 'Alpha'), await createTeam(ctx.app, org, 'Beta')]
    for (const member of members) {
      await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/teams/${teamIds[0]}/members`, headers: owner.headers, payload: { userId: member.userId } })
    }
    const key = await createApiKey(ctx.app, org, ['read'])
    tenants.push({
      orgId: org.id,
      teamIds,
      userIds: [owner.userId, ...members.map((member) => member.userId)],
      credentials: [{ cookie: owner.cookie }, { cookie: members[1]?.cookie ?? '' }, bearer(key.key)],
    })
  }
})
afterAll(async () => {
  await ctx.close()
})

function pick<T>(items: readonly T[]): T {
  const item = items[randomInt(items.length)]
  if (item === undefined) {
    throw new Error('empty list')
  }
  return item
}

describe('tenant isolation under concurrency', () => {
  it(`never leaks another organization's ids across ${REQUESTS} interleaved requests`, { timeout: 600_000 }, async () => {
    const foreignIds = tenants.map((tenant) => {
      const own = new Set([tenant.orgId, ...tenant.teamIds, ...tenant.userIds])
      return tenants.flatMap((other) => [other.orgId, ...other.teamIds, ...other.userIds]).filter((id) => !own.has(id))
    })
    const leaks: string[] = []
    const statuses = new Map<number, number>()
    let ownIdsSeen = 0

    for (let done = 0; done < REQUESTS; done += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, REQUESTS - done) }, () => {
        const index = randomInt(tenants.length)
        const tenant = tenants[index] as Tenant
        const path = pick(['', '/members', '/teams', `/teams/${pick(tenant.teamIds)}/members`])
        return { index, tenant, url: `/api/v1/orgs/${tenant.orgId}${path}`, headers: pick(tenant.credentials) }
      })
      const responses = await Promise.all(batch.map((call) => ctx.app.inject({ method: 'GET', url: call.url, headers: call.headers })))
      responses.forEach((response, i) => {
        const call = batch[i]
        if (!call) {
          return
        }
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
        for (const id of foreignIds[call.index] ?? []) {
          if (response.body.includes(id)) {
            leaks.push(`${call.url} returned foreign id ${id}`)
          }
        }
        if (response.body.includes(call.tenant.orgId) || call.tenant.teamIds.some((id) => response.body.includes(id))) {
          ownIdsSeen++
        }
      })
    }

    expect(leaks).toEqual([])
    expect(Object.fromEntries(statuses)).toEqual({ 200: REQUESTS })
    // Every GET /orgs/:id body names its org and every team list its teams: the check above had data to look at.
    expect(ownIdsSeen).toBeGreaterThan(REQUESTS / 4)
  })
})
