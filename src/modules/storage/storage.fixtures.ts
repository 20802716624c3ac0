import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts'

/** Test plumbing of the storage tests: a fresh database, a superuser client, random points. */

export interface StorageTestDb {
  testDb: TestDatabase
  admin: pg.Client
  close(): Promise<void>
}

export async function storageTestDb(): Promise<StorageTestDb> {
  const testDb = await createTestDatabase()
  const admin = new pg.Client({ connectionString: testDb.adminUrl })
  await admin.connect()
  await admin.query("set time zone 'UTC'")
  return { testDb, admin, close: () => admin.end() }
}

export const DAY_MS = 86_400_000

/** UTC midnight of the day `daysAgo` before `now`. */
export function dayStart(now: Date, daysAgo: number): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  return new Date(midnight - daysAgo * DAY_MS)
}

export async function asOwner<T>(testDb: TestDatabase, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const owner = new pg.Client({ connectionString: testDb.ownerUrl })
  await owner.connect()
  try {
    return await fn(owner)
  } finally {
    await owner.end()
  }
}

export interface Point {
  organization_id: string
  metric_id: string
  dimensions: Record<string, string>
  /** ISO text with microseconds, as inserted. */
  ts: string
  value: string
}

/**
 * Random points over the given days: several organizations, metrics and dimension sets,
 * microsecond timestamps, duplicate timestamps and out-of-order insertion.
 */
export function randomPoints(days: Date[], count: number, seed = 1): Point[] {
  let state = seed
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const orgs = [randomUUID(), randomUUID()]
  const metrics = [randomUUID(), randomUUID(), randomUUID()]
  const dims: Array<Record<string, string>> = [{}, { region: 'eu' }, { region: 'us', host: 'a' }]
  const points: Point[] = []
  for (let i = 0; i < count; i++) {
    const day = days[Math.floor(rand() * days.length)]!
    const micros = BigInt(day.getTime()) * 1000n + BigInt(Math.floor(rand() * 86_399_999_999))
    const previous = points[points.length - 1]
    const ts = previous && rand() < 0.1 ? previous.ts : microsToIso(micros)
    points.push({
      organization_id: orgs[Math.floor(rand() * orgs.length)]!,
      metric_id: metrics[Math.floor(rand() * metrics.length)]!,
      dimensions: dims[Math.floor(rand() * dims.length)]!,
      ts,
      value: (Math.round((rand() * 2_000_000 - 1_000_000)) / 10_000).toFixed(4),
    })
  }
  return points
}

function microsToIso(micros: bigint): string {
  const ms = Number(micros / 1000n)
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(micros % 1_000_000n).padStart(6, '0')}Z`
}

export async function insertPoints(client: pg.Client, table: 'ts.time_series_data' | 'ts.time_series_late', points: Point[]): Promise<void> {
  for (let i = 0; i < points.length; i += 1000) {
    const chunk = points.slice(i, i + 1000)
    await client.query(
      `insert into ${table} (organization_id, metric_id, dimensions, "timestamp", value)
       select * from unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::timestamptz[], $5::numeric[])`,
      [chunk.map((p) => p.organization_id), chunk.map((p) => p.metric_id), chunk.map((p) => JSON.stringify(p.dimensions)), chunk.map((p) => p.ts), chunk.map((p) => p.value)])
  }
}

/** Points as canonical strings, sorted: equal multisets give equal arrays. */
export const canonical = (rows: Array<{ organization_id: string; metric_id: string; dimensions: unknown; ts: string; value: string }>) =>
  rows.map((r) => `${r.organization_id}|${r.metric_id}|${JSON.stringify(r.dimensions)}|${r.ts}|${r.value}`).sort()

export async function rawPoints(client: pg.Client, from: Date, to: Date): Promise<string[]> {
  const { rows } = await client.query(
    `select organization_id, metric_id, dimensions, "timestamp"::text as ts, value::text as value from ts.time_series_data where "timestamp" >= $1 and "timestamp" < $2
     union all
     select organization_id, metric_id, dimensions, "timestamp"::text, value::text from ts.time_series_late where "timestamp" >= $1 and "timestamp" < $2`, [from, to])
  return canonical(rows)
}

export async function segmentPoints(client: pg.Client, from: Date, to: Date): Promise<string[]> {
  const { rows } = await client.query(
    `select s.organization_id, s.metric_id, s.dimensions, p."timestamp"::text as ts, p.value::numeric(15, 4)::text as value
       from ts.time_series_segments s cross join lateral ts.segment_points(s.first_ts, s.ts_deltas, s."values") p
      where s.day >= ($1::timestamptz at time zone 'UTC')::date and s.day < ($2::timestamptz at time zone 'UTC')::date`, [from, to])
  return canonical(rows)
}
