import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/** GET …/dashboards/{id}/usage: the usage tab's figures from dashboard_usage_logs. */

let ctx: TestContext
let org: OrgFixture

const api = (path: string, who: Session, method: 'GET' | 'POST' | 'PATCH' = 'GET', payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1/orgs/${org.id}${path}`, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as object }) })

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

describe('dashboard usage', () => {
  it('counts views per day and per viewer, edits, and shows it to editors only', async () => {
    const id = (await api('/dashboards', org.owner, 'POST', { name: 'Watched' })).json().id
    const viewer = await addMember(ctx.app, org, 'viewer')
    for (const who of [org.owner, viewer, viewer]) expect((await api(`/dashboards/${id}`, who)).statusCode).toBe(200)
    expect((await api(`/dashboards/${id}`, org.owner, 'PATCH', { description: 'now described' })).statusCode).toBe(200)
    // A view logged 3 days ago lands on its own day.
    await ctx.admin.query(
      `insert into telemetry.dashboard_usage_logs (organization_id, dashboard_id, user_id, action, created_at) values ($1, $2, $3, 'view', now() - interval '3 days')`,
      [org.id, id, org.owner.userId],
    )

    const response = await api(`/dashboards/${id}/usage?days=7`, org.owner)
    expect(response.statusCode, response.body).toBe(200)
    const usage = response.json()
    expect(usage.totals).toEqual({ views: 4, viewers: 2, edits: 1, shares: 0, exports: 0 })
    expect(usage.perDay).toHaveLength(7)
    const today = new Date().toISOString().slice(0, 10)
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)
    expect(usage.perDay.at(-1)).toEqual({ day: today, views: 3, viewers: 2 })
    expect(usage.perDay.find((d: { day: string }) => d.day === threeDaysAgo)).toEqual({ day: threeDaysAgo, views: 1, viewers: 1 })
    expect(usage.perDay.reduce((sum: number, d: { views: number }) => sum + d.views, 0)).toBe(4)
    // Most views first; on a tie, the most recent viewer first.
    expect(usage.viewers.map((v: { user: { email: string }; views: number }) => [v.user.email, v.views])).toEqual([
      [viewer.email, 2],
      [org.owner.email, 2],
    ])

    // A view-only member may not see who watched; someone from elsewhere does not see the dashboard.
    expect((await api(`/dashboards/${id}/usage`, viewer)).statusCode).toBe(403)
    const outsider = await registerUser(ctx.app)
    expect((await api(`/dashboards/${id}/usage`, outsider)).statusCode).toBe(404)
    expect((await api(`/dashboards/${id}/usage?days=0`, org.owner)).statusCode).toBe(400)
  })
})
