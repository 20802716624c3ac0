import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { refreshAnalyticsViews } from '../analytics-views/analytics-views.jobs.ts'
import { hourStart, insertToolCalls, type ToolCall } from '../analytics-views/analytics-views.fixtures.ts'

/**
 * MCP analytics read the summary view for the hours it covers and the raw log for the rest:
 * an hour is read from one of them, never both, and only the caller's organization's rows.
 */

interface HourlyRow { hour: string; tool: string; calls: number; failed: number; p50Ms: number | null; p95Ms: number | null; source: 'summary' | 'logs' }
interface Summary {
  from: string
  summaryThrough: string | null
  totals: { calls: number }
  tools: Array<{ server: string; tool: string; calls: number; failed: number; maxMs: number; p95Ms: number }>
  hourly: HourlyRow[]
}

let ctx: TestContext
let orgA: OrgFixture
let orgB: OrgFixture

/** A run close to the end of an hour waits for the next one: the test's "current hour" must stay current. */
async function awayFromHourEnd(): Promise<void> {
  const left = 3_600_000 - (Date.now() % 3_600_000)
  if (left < 30_000) await new Promise((resolve) => setTimeout(resolve, left + 1_000))
}

async function refreshAsOwner(): Promise<void> {
  const owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  await owner.connect()
  try {
    await owner.query('select * from ops.refresh_analytics_views()')
  } finally {
    await owner.end()
  }
}

async function summary(org: OrgFixture): Promise<Summary> {
  const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/tool-calls/summary?hours=24`, headers: org.owner.headers })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Summary
}

const at = (hour: Date, minute: number) => new Date(hour.getTime() + minute * 60_000)
/** A moment of the current hour that has already passed. */
const justNow = () => new Date(Math.max(Date.now() - 1_000, hourStart(0).getTime()))

beforeAll(async () => {
  ctx = await createTestApp()
  orgA = await createOrg(ctx.app, await registerUser(ctx.app))
  orgB = await createOrg(ctx.app, await registerUser(ctx.app))
})

afterAll(async () => {
  await ctx?.close()
})

describe('GET /api/v1/orgs/{orgId}/tool-calls/summary from the summary view', () => {
  it('takes summarized hours from the view and the hours after its refresh from the log, each hour once', async () => {
    await awayFromHourEnd()
    const three = hourStart(3)
    const two = hourStart(2)
    const now = hourStart(0)
    const a = (call: Omit<ToolCall, 'orgId'>): ToolCall => ({ orgId: orgA.id, ...call })
    await insertToolCalls(ctx.admin, [
      a({ at: at(three, 5), durationMs: 100 }),
      a({ at: at(three, 6), durationMs: 200 }),
      a({ at: at(three, 7), durationMs: 300, success: false }),
      a({ at: at(two, 10), durationMs: 50 }),
      a({ at: at(two, 11), durationMs: 70, tool: 'search-deals' }),
      a({ at: justNow(), durationMs: 10 }),
      { orgId: orgB.id, at: at(three, 8), durationMs: 5000 },
      { orgId: orgB.id, at: at(three, 9), durationMs: 5000, success: false },
    ])
    await refreshAsOwner()
    // After the refresh: two calls in the current hour, and one written late into a summarized
    // hour, which the view only shows after its next refresh.
    await insertToolCalls(ctx.admin, [
      a({ at: justNow(), durationMs: 20, success: false }),
      a({ at: justNow(), durationMs: 30 }),
      a({ at: at(three, 30), durationMs: 9000 }),
    ])

    const body = await summary(orgA)
    expect(body.from).toBe(new Date(Math.floor((Date.now() - 24 * 3_600_000) / 3_600_000) * 3_600_000).toISOString())
    // The view holds the current hour as it was at the refresh: that hour is read from the log again.
    expect(body.summaryThrough).toBe(now.toISOString())
    const keys = body.hourly.map((row) => `${row.hour} ${row.tool}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(body.hourly).toEqual([
      { hour: three.toISOString(), tool: 'hubspot-contacts', calls: 3, failed: 1, p50Ms: 200, p95Ms: 290, source: 'summary' },
      { hour: two.toISOString(), tool: 'hubspot-contacts', calls: 1, failed: 0, p50Ms: 50, p95Ms: 50, source: 'summary' },
      { hour: two.toISOString(), tool: 'search-deals', calls: 1, failed: 0, p50Ms: 70, p95Ms: 70, source: 'summary' },
      { hour: now.toISOString(), tool: 'hubspot-contacts', calls: 3, failed: 1, p50Ms: 20, p95Ms: 29, source: 'logs' },
    ])
    // Per tool: the view's hours plus the log's, the late call not yet among them; the window
    // percentiles come from the log and see it.
    const contacts = body.tools.find((tool) => tool.tool === 'hubspot-contacts')
    expect(contacts).toMatchObject({ server: 'contacts', calls: 7, failed: 2, maxMs: 300 })
    expect(contacts!.p95Ms).toBeGreaterThan(300)
    expect(body.tools.find((tool) => tool.tool === 'search-deals')).toMatchObject({ calls: 1, failed: 0, maxMs: 70 })
    // The totals are exact figures of the log.
    expect(body.totals.calls).toBe(9)

    // The next refresh takes the late call in.
    await refreshAsOwner()
    const after = await summary(orgA)
    expect(after.hourly.find((row) => row.hour === three.toISOString())).toMatchObject({ calls: 4, source: 'summary' })
    expect(after.tools.find((tool) => tool.tool === 'hubspot-contacts')).toMatchObject({ calls: 8, maxMs: 9000 })
  })

  it("shows only the caller's organization's rows of the view and of the log", async () => {
    const expected = { hour: hourStart(3).toISOString(), tool: 'hubspot-contacts', calls: 2, failed: 1, p50Ms: 5000, p95Ms: 5000 }
    // The organization's newest summarized hour may have been summarized while it ran: read again from the log.
    const body = await summary(orgB)
    expect(body.summaryThrough).toBe(hourStart(3).toISOString())
    expect(body.hourly).toEqual([{ ...expected, source: 'logs' }])
    expect(body.tools).toEqual([expect.objectContaining({ tool: 'hubspot-contacts', calls: 2, failed: 1, maxMs: 5000 })])
    expect(body.totals.calls).toBe(2)
    // A recorded refresh since then: every hour before it comes from the view, still only B's.
    expect((await refreshAnalyticsViews(ctx.testDb.ownerUrl)).outcome).toBe('succeeded')
    const later = await summary(orgB)
    expect(later.summaryThrough).toBe(hourStart(0).toISOString())
    expect(later.hourly).toEqual([{ ...expected, source: 'summary' }])
    expect(later.tools).toEqual([expect.objectContaining({ tool: 'hubspot-contacts', calls: 2, failed: 1, maxMs: 5000 })])
    const foreign = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgA.id}/tool-calls/summary`, headers: orgB.owner.headers })
    expect(foreign.statusCode).toBe(404)
  })

  it('treats every hour before a recorded refresh as summarized, even for an organization without calls since', async () => {
    await awayFromHourEnd()
    const orgC = await createOrg(ctx.app, await registerUser(ctx.app))
    await insertToolCalls(ctx.admin, [{ orgId: orgC.id, at: at(hourStart(5), 1), durationMs: 40 }])
    // Not in the view yet, and the last recorded refresh ran in the current hour: a call of the
    // hour five hours ago written now shows only after the next refresh.
    expect((await summary(orgC)).hourly).toEqual([])

    const run = await refreshAnalyticsViews(ctx.testDb.ownerUrl)
    expect(run.outcome).toBe('succeeded')
    const after = await summary(orgC)
    expect(after.summaryThrough).toBe(hourStart(0).toISOString())
    expect(after.hourly).toEqual([{ hour: hourStart(5).toISOString(), tool: 'hubspot-contacts', calls: 1, failed: 0, p50Ms: 40, p95Ms: 40, source: 'summary' }])
  })

  it('reads everything from the log when the view covers no hour of the window', async () => {
    const orgD = await createOrg(ctx.app, await registerUser(ctx.app))
    const body = await summary(orgD)
    expect(body.hourly).toEqual([])
    expect(body.tools).toEqual([])
  })
})
