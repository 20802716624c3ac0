import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { refreshAnalyticsViews } from './analytics-views.jobs.ts'
import { hourStart, insertToolCalls } from './analytics-views.fixtures.ts'

/**
 * "A refresh never blocks readers", checked with locks rather than timing: the refresher's
 * transaction stays open while a reader in another connection, with lock_timeout = 1s, reads
 * the view. A reader that had to wait for the refresher's lock would fail with 55P03.
 */

let ctx: TestContext
let org: OrgFixture
let owner: pg.Client
let reader: pg.Client

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  reader = new pg.Client({ connectionString: ctx.testDb.runtimeUrl })
  await Promise.all([owner.connect(), reader.connect()])
  await insertToolCalls(ctx.admin, [{ orgId: org.id, at: hourStart(1), durationMs: 10 }])
  await refreshAnalyticsViews(ctx.testDb.ownerUrl)
  await insertToolCalls(ctx.admin, [{ orgId: org.id, at: hourStart(1), durationMs: 20 }])
})

afterAll(async () => {
  await Promise.all([owner?.end(), reader?.end()])
  await ctx?.close()
})

/** total_calls of the organization's hour, read as its owner in one transaction that waits at most 1s for a lock. */
async function readTotalCalls(): Promise<string[]> {
  await reader.query('begin')
  try {
    await reader.query("set local lock_timeout = '1s'")
    await reader.query("select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true)", [org.owner.userId, org.id])
    const { rows } = await reader.query<{ total_calls: string }>('select total_calls from telemetry.hourly_tool_usage')
    return rows.map((row) => row.total_calls)
  } finally {
    await reader.query('rollback')
  }
}

const locksOnSummary = async () =>
  (await ctx.admin.query<{ mode: string }>(
    "select mode from pg_locks where relation = 'telemetry.hourly_tool_usage_summary'::regclass and granted and pid = $1", [(owner as unknown as { processID: number }).processID])).rows.map((r) => r.mode)

describe('refresh_analytics_views', () => {
  it('lets readers read the previous contents while a refresh is in progress', async () => {
    await owner.query('begin')
    try {
      const { rows } = await owner.query<{ view_name: string }>('select view_name from ops.refresh_analytics_views()')
      expect(rows.map((r) => r.view_name)).toContain('hourly_tool_usage_summary')
      // The refresher still holds its lock on the view: the read below really overlaps it.
      expect(await locksOnSummary()).toContain('ExclusiveLock')
      expect(await readTotalCalls()).toEqual(['1'])
      await owner.query('commit')
    } catch (error) {
      await owner.query('rollback')
      throw error
    }
    expect(await readTotalCalls()).toEqual(['2'])
  })

  it('would block them with a plain (not concurrent) refresh: the check above can fail', async () => {
    await owner.query('begin')
    try {
      await owner.query('refresh materialized view telemetry.hourly_tool_usage_summary')
      expect(await locksOnSummary()).toContain('AccessExclusiveLock')
      await expect(readTotalCalls()).rejects.toMatchObject({ code: '55P03' })
    } finally {
      await owner.query('rollback')
    }
  })
})
