import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compressTimeSeries } from './storage.jobs.ts'
import { DAY_MS, asOwner, dayStart, insertPoints, randomPoints, rawPoints, segmentPoints, storageTestDb, type StorageTestDb } from './storage.fixtures.ts'

/** ts:compress on real PostgreSQL: round trip, late points, detach, per-metric delays. */

let db: StorageTestDb
const now = new Date()

beforeAll(async () => {
  db = await storageTestDb()
  // Partitions 45 days back, as if the instance had run for that long.
  await asOwner(db.testDb, (owner) => owner.query("select ops.ensure_partitions('ts.time_series_data', 'day', 1, 45)"))
})
afterAll(async () => {
  await db.close()
})

const attached = async () =>
  (await db.admin.query<{ partition_table: string }>("select partition_table from ops.partitions where parent_table = 'ts.time_series_data' and state = 'attached'")).rows.map((r) => r.partition_table)

describe('ts:compress', () => {
  it('rewrites old days into segments that decode to exactly the raw points, and detaches and drops their partitions', async () => {
    const days = [dayStart(now, 44), dayStart(now, 43), dayStart(now, 40), dayStart(now, 32)]
    const points = randomPoints(days, 6000, 7)
    await insertPoints(db.admin, 'ts.time_series_data', points)
    const from = dayStart(now, 45)
    const to = dayStart(now, 31)
    const before = await rawPoints(db.admin, from, to)
    expect(before).toHaveLength(6000)

    const run = await compressTimeSeries(db.testDb.ownerUrl, { now })
    expect(run.outcome).toBe('succeeded')

    expect(await segmentPoints(db.admin, from, to)).toEqual(before)
    expect(await rawPoints(db.admin, from, to)).toEqual([])
    // The segments' aggregates agree with the points they hold.
    const { rows: mismatched } = await db.admin.query(
      `select 1 from ts.time_series_segments s cross join lateral (
         select count(*) as n, sum(p.value) as total, min(p.value) as lo, max(p.value) as hi, min(p."timestamp") as first, max(p."timestamp") as last
           from ts.segment_points(s.first_ts, s.ts_deltas, s."values") p) d
        where (d.n, d.total, d.lo, d.hi, d.first, d.last) is distinct from (s.point_count::bigint, s.sum_value, s.min_value, s.max_value, s.first_ts, s.last_ts)`)
    expect(mismatched).toEqual([])
    // Days older than 30 (and the 30-day window partitions:maintain keeps) are detached and gone.
    const gone = days.map((d) => `ts.time_series_data_${d.toISOString().slice(0, 10).replace(/-/g, '_')}`)
    expect(await attached()).not.toEqual(expect.arrayContaining([gone[0]]))
    const { rows: states } = await db.admin.query<{ state: string; exists: boolean }>(
      'select state, to_regclass(partition_table) is not null as exists from ops.partitions where partition_table = any($1)', [gone])
    expect(states).toEqual(gone.map(() => ({ state: 'compressed', exists: false })))
    // Day 29 is inside the delay: untouched.
    expect(await attached()).toContain(`ts.time_series_data_${dayStart(now, 29).toISOString().slice(0, 10).replace(/-/g, '_')}`)
    const { rows: logged } = await db.admin.query("select outcome, details from ops.maintenance_runs where job = 'ts:compress'")
    expect(logged).toHaveLength(1)
    expect(logged[0].details.points).toBe(6000)
  })

  it('merges late points of a compressed day into its segments on the next run and empties the late table', async () => {
    const day = dayStart(now, 43)
    const from = day
    const to = new Date(day.getTime() + DAY_MS)
    const beforeSegments = await segmentPoints(db.admin, from, to)
    const late = randomPoints([day], 300, 99)
    await insertPoints(db.admin, 'ts.time_series_late', late)
    const expected = [...beforeSegments, ...(await rawPoints(db.admin, from, to))].sort()

    await compressTimeSeries(db.testDb.ownerUrl, { now })

    expect(await segmentPoints(db.admin, from, to)).toEqual(expected)
    expect((await db.admin.query('select count(*)::int as n from ts.time_series_late')).rows[0].n).toBe(0)
  })

  it('keeps the points of a metric with a longer compress_after_days raw, and the partition attached', async () => {
    // A 20-day default; day 25 holds points of a 60-day metric.
    const day = dayStart(now, 25)
    const { rows: [org] } = await db.admin.query("insert into app.organizations (name, slug) values ('Slow', 'slow-' || substr(md5(random()::text), 1, 8)) returning id")
    const { rows: [slow] } = await db.admin.query(
      "insert into app.metrics (organization_id, name, display_name, compress_after_days) values ($1, 'slow', 'Slow', 60) returning id", [org.id])
    const points = randomPoints([day], 200, 5).map((p, n) => (n % 2 === 0 ? { ...p, metric_id: slow.id, organization_id: org.id } : p))
    await insertPoints(db.admin, 'ts.time_series_data', points)

    await compressTimeSeries(db.testDb.ownerUrl, { now, defaultDays: 20, keepBehindDays: 20 })

    const { rows } = await db.admin.query<{ metric_id: string }>(
      'select distinct metric_id from ts.time_series_data where "timestamp" >= $1 and "timestamp" < $2', [day, new Date(day.getTime() + DAY_MS)])
    expect(rows.map((r) => r.metric_id)).toEqual([slow.id])
    expect(await attached()).toContain(`ts.time_series_data_${day.toISOString().slice(0, 10).replace(/-/g, '_')}`)
    const { rows: [segs] } = await db.admin.query('select coalesce(sum(point_count), 0)::int as n from ts.time_series_segments where day = $1::date and metric_id <> $2', [day.toISOString().slice(0, 10), slow.id])
    expect(segs.n).toBe(100)
    // Older empty days went; day 25 stays, and so do the newer ones (attached days stay one range).
    expect(await attached()).toContain(`ts.time_series_data_${dayStart(now, 24).toISOString().slice(0, 10).replace(/-/g, '_')}`)
    expect(await attached()).not.toContain(`ts.time_series_data_${dayStart(now, 26).toISOString().slice(0, 10).replace(/-/g, '_')}`)
  })

  it('runs one at a time: a second concurrent run is skipped and recorded', async () => {
    const [a, b] = await Promise.all([compressTimeSeries(db.testDb.ownerUrl, { now }), compressTimeSeries(db.testDb.ownerUrl, { now })])
    expect([a.outcome, b.outcome].sort()).toEqual(expect.arrayContaining(['succeeded']))
  })
})
