import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { createMetric, ensurePointPartitions, insertBatch, insertSegments, type Point } from './series.fixtures.ts'

/** Seed 000's prepared query time_series_aggregated, as the function ts.time_series_aggregated. */

const HOUR = 3_600_000
const DAY = 24 * HOUR
let ctx: TestContext
let org: OrgFixture
let other: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  other = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

const point = (ts: number, value: number): Point => ({ ts: new Date(ts), value: value.toFixed(4), dims: {} })

describe('ts.time_series_aggregated', () => {
  it('averages and counts raw, late and compressed points per bucket, bounds inclusive, under row-level security', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'prepared')
    const day = Math.floor(Date.now() / DAY) * DAY - 2 * DAY
    await insertBatch(ctx.admin, org.id, metricId, [point(day, 1), point(day + 10 * 60_000, 3), point(day + HOUR, 10)])
    await insertBatch(ctx.admin, org.id, metricId, [point(day + 20 * 60_000, 5)], 'late')
    const old = Math.floor(Date.now() / DAY) * DAY - 60 * DAY
    await insertSegments(ctx.admin, org.id, metricId, [point(old, 2), point(old + 60_000, 4)])
    const foreign = await createMetric(ctx.admin, other.id, 'foreign')
    await insertBatch(ctx.admin, other.id, foreign, [point(day, 100)])

    const query = (metric: string, from: number, to: number) =>
      withContext(ctx.database.db, { userId: org.owner.userId, orgId: org.id }, async (trx) =>
        (await sql<{ time_bucket: Date; avg_value: string; data_points: string }>`
          select * from ts.time_series_aggregated(${metric}::uuid, ${new Date(from)}, ${new Date(to)}, interval '1 hour')`.execute(trx)).rows
          .map((r) => [r.time_bucket.toISOString(), Number(r.avg_value), Number(r.data_points)]))

    expect(await query(metricId, day, day + HOUR)).toEqual([
      [new Date(day).toISOString(), 3, 3],
      [new Date(day + HOUR).toISOString(), 10, 1],
    ])
    expect(await query(metricId, old - DAY, old + DAY)).toEqual([[new Date(old).toISOString(), 3, 2]])
    // Another organization's metric: row-level security hides its points.
    expect(await query(foreign, day - DAY, day + DAY)).toEqual([])
  })
})
