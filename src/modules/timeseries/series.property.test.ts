import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions, insertBatch, insertSegments, prng, reference, type Point, type RefQuery } from './series.fixtures.ts'
import { runTimeSeriesRollup } from './rollup.ts'

/**
 * The acceptance property: for random points (late, out of order, duplicate
 * timestamps, several dimension sets) spread over raw partitions, the late table and hand-built
 * compressed segments, with the rollup job run at random moments, the series API's answer for
 * random ranges, buckets and time zones equals a plain SQL aggregate over all the points, for
 * sum, count, min, max and avg. The seed is printed on failure: SERIES_SEED=<n> reruns it.
 */

const SEED = Number(process.env.SERIES_SEED ?? Date.now() % 100_000)
const HOUR = 3_600_000
const DAY = 24 * HOUR
const DIMS: Array<Record<string, string>> = [{}, { region: 'eu' }, { region: 'us', host: 'a' }, { region: 'us', host: 'b' }]
const TZS = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe']
/** Bucket and the longest span to query with it (keeps answers small). */
const SPANS: Array<[string, number]> = [['1m', 6 * HOUR], ['5m', DAY], ['15m', 3 * DAY], ['1h', 20 * DAY], ['1d', 80 * DAY], ['1w', 80 * DAY], ['1mo', 80 * DAY]]

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

describe('series engine property', () => {
  it(`equals the plain SQL aggregate over all points (seed ${SEED})`, async () => {
    const random = prng(SEED)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
    const now = Date.now()
    const metricId = await createMetric(ctx.admin, org.id, `prop_${SEED}_${now}`)
    const used: number[] = []
    /** Points around an anchor; some reuse an earlier timestamp (duplicates), order is shuffled. */
    const points = (n: number, lo: number, hi: number): Point[] =>
      Array.from({ length: n }, () => {
        const earlier = used.filter((t) => t >= lo && t < hi)
        const ts = earlier.length > 0 && random() < 0.15 ? pick(earlier) : Math.floor(lo + random() * (hi - lo))
        used.push(ts)
        return { ts: new Date(ts), value: (Math.round((random() - 0.3) * 2_000_000) / 10_000).toFixed(4), dims: pick(DIMS) }
      })
    // Compressed days (55 to 65 days ago) and late points for days without partitions (35 to 50).
    await insertSegments(ctx.admin, org.id, metricId, points(150, now - 65 * DAY, now - 55 * DAY))
    await insertBatch(ctx.admin, org.id, metricId, points(80, now - 50 * DAY, now - 35 * DAY), 'late')
    // Late points for a compressed day as well (they stay in the late table until recompression).
    await insertBatch(ctx.admin, org.id, metricId, points(20, now - 60 * DAY, now - 59 * DAY), 'late')

    let checked = 0
    const sources = new Set<string>()
    /** Asks the API for q and compares with the plain SQL aggregate; returns the answer's source. */
    const check = async (q: RefQuery, agg: 'sum' | 'count' | 'min' | 'max' | 'avg', context: string): Promise<string> => {
      const expected = await reference(ctx.admin, metricId, q)
      const params = new URLSearchParams({ from: q.from.toISOString(), to: q.to.toISOString(), bucket: q.bucket, agg, tz: q.tz })
      if (q.groupBy) params.set('groupBy', q.groupBy)
      if (q.filter) params.set('filter', 'region:us')
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/metrics/${metricId}/series?${params}`, headers: org.owner.headers })
      const label = `${context} ${params}`
      expect(response.statusCode, `${label}: ${response.body}`).toBe(200)
      const body = response.json() as { source: string; points: Array<{ t: string; value: number; count: number; min: number; max: number; group?: string | null }> }
      expect(body.points.map((p) => [p.t, p.group ?? null, p.count, p.min, p.max]), label).toEqual(expected.map((r) => [r.t, r.grp, r.count, r.min, r.max]))
      body.points.forEach((point, i) => {
        const want = expected[i]![agg]
        if (agg === 'avg') {
          expect(Math.abs(point.value - want), label).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)))
        } else {
          expect(point.value, label).toBe(want)
        }
      })
      checked += 1
      return body.source
    }

    for (let round = 0; round < 6; round++) {
      // Raw batches: mostly recent, some far back in the partitioned range (late, out of order).
      await insertBatch(ctx.admin, org.id, metricId, points(120, now - 3 * DAY, now))
      await insertBatch(ctx.admin, org.id, metricId, points(40, now - 25 * DAY, now - 2 * DAY))
      if (random() < 0.7) {
        await runTimeSeriesRollup(ctx.services.db, 1 + Math.floor(random() * 5))
      }
      if (random() < 0.3) {
        // A batch arriving after the rollup, into hours it has already rolled up.
        await insertBatch(ctx.admin, org.id, metricId, points(15, now - 20 * DAY, now - DAY))
      }
      for (let n = 0; n < 8; n++) {
        const [bucket, span] = pick(SPANS)
        const length = Math.max(HOUR / 4, random() * span)
        const from = new Date(Math.floor(now - 70 * DAY + random() * (70 * DAY + HOUR)))
        const to = new Date(Math.min(from.getTime() + length, now + 2 * HOUR))
        if (to <= from) {
          continue
        }
        const q: RefQuery = { from, to, bucket, tz: pick(TZS), ...(random() < 0.25 ? { groupBy: 'region' } : {}), ...(random() < 0.15 ? { filter: { region: 'us' } } : {}) }
        sources.add(await check(q, pick(['sum', 'count', 'min', 'max', 'avg'] as const), `seed ${SEED} round ${round}`))
      }
    }
    expect(checked).toBeGreaterThan(30)
    // Answers came from the rollups and compressed segments too, not only from raw points.
    expect([...sources].filter((source) => source === 'mixed' || source === 'rollup').length, [...sources].join()).toBeGreaterThan(0)
    // After a final run every level exists (minute rows as metric totals only) and serves
    // queries shaped for it: UTC weeks and months, minutes of closed hours, with and without
    // the per-series rows (groupBy, filter).
    await runTimeSeriesRollup(ctx.services.db)
    const { rows } = await ctx.admin.query<{ level: string; totals: number; series: number }>(
      `select aggregation_level as level, count(*) filter (where dimensions is null)::int as totals, count(*) filter (where dimensions is not null)::int as series
         from ts.aggregated_metrics where metric_id = $1 group by 1`, [metricId])
    const levels = Object.fromEntries(rows.map((row) => [row.level, row]))
    for (const level of ['hour', 'day', 'week', 'month']) {
      expect(levels[level]?.totals, level).toBeGreaterThan(0)
      expect(levels[level]?.series, level).toBeGreaterThan(0)
    }
    expect(levels.minute?.totals).toBeGreaterThan(0)
    expect(levels.minute?.series ?? 0).toBe(0)
    const closedHour = Math.floor(now / HOUR) * HOUR
    const shaped: RefQuery[] = [
      { from: new Date(now - 70 * DAY), to: new Date(now), bucket: '1mo', tz: 'UTC' },
      { from: new Date(now - 70 * DAY), to: new Date(now), bucket: '1w', tz: 'UTC', groupBy: 'region' },
      { from: new Date(now - 30 * DAY), to: new Date(now), bucket: '1w', tz: 'UTC', filter: { region: 'us' } },
      { from: new Date(closedHour - DAY), to: new Date(closedHour), bucket: '5m', tz: 'UTC' },
      { from: new Date(closedHour - 3 * DAY), to: new Date(closedHour - DAY), bucket: '15m', tz: 'Asia/Kathmandu' },
    ]
    for (const q of shaped) {
      for (const agg of ['sum', 'count', 'min', 'max', 'avg'] as const) {
        sources.add(await check(q, agg, `seed ${SEED} shaped`))
      }
    }
  })
})
