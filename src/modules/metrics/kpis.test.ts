import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/** The KPI rules the UI's form mirrors: alert rules and names (CRUD itself: metrics.test.ts). */

let ctx: TestContext
let org: OrgFixture
let metricId: string

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  const metric = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: org.owner.headers, payload: { name: 'signups', displayName: 'Sign-ups' } })
  metricId = metric.json().id
})
afterAll(async () => {
  await ctx.close()
})

const createKpi = (payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/kpis`, headers: org.owner.headers, payload: { metricId, name: 'Weekly sign-ups', targetValue: 100, targetType: 'minimum', ...payload } })

/** The 400's first detail: the field the form puts the message under. */
async function refusal(response: Awaited<ReturnType<typeof createKpi>>) {
  expect(response.statusCode, response.body).toBe(400)
  return response.json().error.details[0].field as string
}

describe('KPI alert rules', () => {
  it('stores the rules the form writes and keeps keys it does not know', async () => {
    const created = await createKpi({ alertRules: { attainmentPercent: 80, onCritical: true, notify: ['email', 'in_app'], escalateTo: 'ops' } })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json().alertRules).toEqual({ attainmentPercent: 80, onCritical: true, notify: ['email', 'in_app'], escalateTo: 'ops' })

    const cleared = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}/kpis/${created.json().id}`, headers: org.owner.headers, payload: { alertRules: { attainmentPercent: null, notify: [] } } })
    expect(cleared.statusCode, cleared.body).toBe(200)
    expect(cleared.json().alertRules).toEqual({ attainmentPercent: null, notify: [] })
  })

  it('asks for a channel as soon as a rule is set', async () => {
    expect(await refusal(await createKpi({ alertRules: { attainmentPercent: 80 } }))).toBe('body.alertRules.notify')
    expect(await refusal(await createKpi({ alertRules: { onCritical: true, notify: [] } }))).toBe('body.alertRules.notify')
    const existing = await createKpi({ alertRules: { notify: ['email'] } })
    expect(existing.statusCode).toBe(201)
    const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}/kpis/${existing.json().id}`, headers: org.owner.headers, payload: { alertRules: { onCritical: true } } })
    expect(await refusal(patched)).toBe('body.alertRules.notify')
  })

  it('refuses an alert percent outside 1–1000 (0 is not read as "no rule") and unknown channels', async () => {
    expect(await refusal(await createKpi({ alertRules: { attainmentPercent: 0, notify: ['email'] } }))).toBe('body.alertRules.attainmentPercent')
    expect(await refusal(await createKpi({ alertRules: { attainmentPercent: 1001, notify: ['email'] } }))).toBe('body.alertRules.attainmentPercent')
    expect(await refusal(await createKpi({ alertRules: { notify: ['sms'] } }))).toMatch(/^body\.alertRules\.notify/)
  })
})

describe('KPI names', () => {
  it('refuses a blank name on the name field instead of a bare database error', async () => {
    expect(await refusal(await createKpi({ name: '   ' }))).toBe('body.name')
  })
})
