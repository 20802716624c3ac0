import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { compressTimeSeries } from '../storage/storage.jobs.ts'
import { ensurePointPartitions } from '../timeseries/series.fixtures.ts'

/**
 * Points for a day whose partition is being detached, or already is, by compression or
 * retention in another process: every acknowledged point is stored (late when its day has no
 * partition any more), whatever this process cached about the partitions.
 */

const DAY = 86_400_000
let ctx: TestContext
let org: OrgFixture
let key: string
let metricId: string
let owner: pg.Client

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl, 40)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  key = (await createApiKey(ctx.app, org, ['ingest'])).key
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: org.owner.headers, payload: { name: 'detach.points', displayName: 'Detach' } })
  metricId = created.json().id
  owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  await owner.connect()
})
afterAll(async () => {
  await owner?.end()
  await ctx?.close()
})

/** Noon UTC of the day `days` before today. */
const noon = (days: number, offsetMs = 0) => new Date(Math.floor(Date.now() / DAY) * DAY - days * DAY + DAY / 2 + offsetMs)
const partitionOf = (days: number) => `ts.time_series_data_${noon(days).toISOString().slice(0, 10).replace(/-/g, '_')}`

async function push(at: Date, value: number) {
  const response = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${org.id}/metrics/${metricId}/points`,
    headers: { ...bearer(key), 'content-type': 'application/json' },
    payload: JSON.stringify([{ timestamp: at.toISOString(), value }]),
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { accepted: number; late: number; rejected: number }
}

/** Where the point of that value is stored: 'raw', 'late', 'segment', one entry per copy. */
async function whereIs(value: number): Promise<string[]> {
  const { rows } = await ctx.admin.query<{ place: string }>(
    `select 'raw' as place from ts.time_series_data where metric_id = $1 and value = $2
     union all select 'late' from ts.time_series_late where metric_id = $1 and value = $2
     union all select 'segment' from ts.time_series_segments s, ts.segment_points(s.first_ts, s.ts_deltas, s."values") p where s.metric_id = $1 and p.value = $2`,
    [metricId, value])
  return rows.map((row) => row.place).sort()
}

describe('points for a day that loses its partition', () => {
  it('go to the late table once another process detached the partition, even before it updated the catalogue', async () => {
    // Warms this process's cached partition range.
    expect(await push(noon(38), 1)).toMatchObject({ accepted: 1, late: 0 })
    // Retention's order in another process: detach first, catalogue later. The catalogue
    // still says 'attached'; nothing told this process.
    await owner.query(`alter table ts.time_series_data detach partition ${partitionOf(38)}`)

    expect(await push(noon(38, 1000), 2)).toMatchObject({ accepted: 1, late: 1, rejected: 0 })
    expect(await whereIs(2)).toEqual(['late'])
    // A day in the middle of the attached range, too (no partition covers it any more).
    await owner.query(`alter table ts.time_series_data detach partition ${partitionOf(36)}`)
    expect(await push(noon(36), 3)).toMatchObject({ accepted: 1, late: 1 })
    expect(await whereIs(3)).toEqual(['late'])
    // Its neighbours still take raw points.
    expect(await push(noon(37), 4)).toMatchObject({ accepted: 1, late: 0 })
    expect(await whereIs(4)).toEqual(['raw'])
  })

  it('go to the late table while a concurrent detach is pending', async () => {
    // A reader that started before the detach keeps it in its first phase ("detach pending")
    // until it ends: DETACH ... CONCURRENTLY waits for every older transaction on the table.
    const reader = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await reader.connect()
    try {
      await reader.query('begin')
      await reader.query('select count(*) from ts.time_series_data')
      const detach = owner.query(`alter table ts.time_series_data detach partition ${partitionOf(35)} concurrently`)
      for (let i = 0; i < 200; i++) {
        const { rows } = await ctx.admin.query<{ pending: boolean }>('select inhdetachpending as pending from pg_inherits where inhrelid = $1::regclass', [partitionOf(35)])
        if (rows[0]?.pending) {
          break
        }
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      const { rows } = await ctx.admin.query<{ pending: boolean }>('select inhdetachpending as pending from pg_inherits where inhrelid = $1::regclass', [partitionOf(35)])
      expect(rows[0]?.pending).toBe(true)

      expect(await push(noon(35), 5)).toMatchObject({ accepted: 1, late: 1 })
      await reader.query('commit')
      await detach
    } finally {
      await reader.end()
    }
    expect(await whereIs(5)).toEqual(['late'])
  })

  it('go to the late table right after ts:compress detached their day in this process, and the next run merges them', async () => {
    expect(await push(noon(33), 6)).toMatchObject({ accepted: 1, late: 0 })
    const run = await compressTimeSeries(ctx.testDb.ownerUrl)
    expect(run.outcome).toBe('succeeded')
    expect(run.result?.detached).toContain(partitionOf(33))
    expect(await whereIs(6)).toEqual(['segment'])

    expect(await push(noon(33, 1000), 7)).toMatchObject({ accepted: 1, late: 1 })
    expect(await whereIs(7)).toEqual(['late'])
    await compressTimeSeries(ctx.testDb.ownerUrl)
    expect(await whereIs(7)).toEqual(['segment'])
    expect(await whereIs(6)).toEqual(['segment'])
  })
})
