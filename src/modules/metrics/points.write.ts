import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { isStorableJson } from '../ingest/pipeline-rows.ts'

/**
 * The one write path of metric points, shared by the push API, pipeline batches and scheduled
 * calculations. Points go to ts.time_series_data when a partition covers their day, to
 * ts.time_series_late when they are older than the oldest attached partition (its day was
 * compressed and detached; compression merges them later), and are refused when they are past
 * the newest partition (the worker creates partitions ahead; never on this path). Each batch
 * then records, per metric, the time range it touched in ts.rollup_invalidations: the rollup
 * job and the query cache recompute only that. Everything runs in the caller's transaction.
 */

export interface NewPoint {
  metricId: string
  timestamp: Date
  value: number | string
  dimensions: Record<string, unknown>
  metadata?: Record<string, unknown>
}

export interface PointRejection {
  index: number
  code: 'invalid_timestamp' | 'invalid_value' | 'value_out_of_range' | 'timestamp_out_of_range' | 'unstorable_value'
  message: string
}

export interface InsertPointsResult {
  stored: number
  late: number
  rejected: PointRejection[]
}

interface Bounds {
  start: number
  end: number
}

/** Partitions change at most hourly (maintenance) or on compression; a few seconds of staleness is fine. */
const BOUNDS_TTL_MS = 5_000
let cachedBounds: { at: number; bounds: Bounds | null } | undefined

/** Forget the cached partition range (compression calls this after detaching a partition in this process). */
export function invalidatePartitionBounds(): void {
  cachedBounds = undefined
}

async function partitionBounds(db: Db): Promise<Bounds | null> {
  if (cachedBounds && Date.now() - cachedBounds.at < BOUNDS_TTL_MS) {
    return cachedBounds.bounds
  }
  const { rows } = await sql<{ start: Date | null; end: Date | null }>`
    select min(range_start) as start, max(range_end) as end
      from ops.partitions where parent_table = 'ts.time_series_data' and state = 'attached'`.execute(db)
  const row = rows[0]
  const bounds = row?.start && row.end ? { start: row.start.getTime(), end: row.end.getTime() } : null
  cachedBounds = { at: Date.now(), bounds }
  return bounds
}

/** numeric(15,4): values are rounded to 4 decimals and must stay below 10^11 in magnitude. */
const MAX_ABS = 1e11
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** The value as PostgreSQL numeric text, or why it can't be stored. */
export function checkValue(value: unknown): { ok: true; text: string } | { ok: false; code: 'invalid_value' | 'value_out_of_range'; message: string } {
  const n = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : Number.NaN
  if (!Number.isFinite(n)) {
    return { ok: false, code: 'invalid_value', message: 'value must be a finite number (or a decimal string)' }
  }
  if (Math.abs(Math.round(n * 1e4) / 1e4) >= MAX_ABS) {
    return { ok: false, code: 'value_out_of_range', message: `value ${value} is out of range: metric values are numeric(15,4), below 10^11 in magnitude` }
  }
  return { ok: true, text: typeof value === 'string' ? value.trim() : String(n) }
}

interface Columns {
  t: string[]
  m: string[]
  v: string[]
  d: unknown[]
  md: unknown[]
}

const emptyColumns = (): Columns => ({ t: [], m: [], v: [], d: [], md: [] })

/**
 * One statement per table: the points travel as parallel arrays (and the JSON of their
 * dimensions and metadata as one JSON array each), whatever the batch size, as
 * insertPipelineRows does for records.
 */
async function insertInto(db: Db, table: 'ts.time_series_data' | 'ts.time_series_late', orgId: string, c: Columns): Promise<void> {
  if (c.t.length === 0) {
    return
  }
  await sql`
    insert into ${sql.table(table)} ("timestamp", metric_id, organization_id, value, dimensions, metadata)
    select u.t, u.m, ${orgId}::uuid, u.v, u.d, u.md
      from rows from (unnest(${c.t}::timestamptz[]), unnest(${c.m}::uuid[]), unnest(${c.v}::numeric[]),
                      jsonb_array_elements(${JSON.stringify(c.d)}::jsonb), jsonb_array_elements(${JSON.stringify(c.md)}::jsonb)) as u(t, m, v, d, md)`.execute(db)
}

export async function insertPoints(trx: Db, orgId: string, points: NewPoint[]): Promise<InsertPointsResult> {
  const rejected: PointRejection[] = []
  const raw = emptyColumns()
  const late = emptyColumns()
  const ranges = new Map<string, { min: number; max: number }>()
  const bounds = points.length > 0 ? await partitionBounds(trx) : null
  points.forEach((point, index) => {
    const t = point.timestamp.getTime()
    if (!Number.isFinite(t)) {
      rejected.push({ index, code: 'invalid_timestamp', message: 'timestamp is not a valid date' })
      return
    }
    if (!bounds || t >= bounds.end) {
      const until = bounds ? new Date(bounds.end).toISOString() : 'now'
      rejected.push({ index, code: 'timestamp_out_of_range', message: `timestamp ${point.timestamp.toISOString()} is too far in the future: points are accepted until ${until}` })
      return
    }
    const value = checkValue(point.value)
    if (!value.ok) {
      rejected.push({ index, code: value.code, message: value.message })
      return
    }
    const extra = point.metadata ?? {}
    if (!isStorableJson(JSON.stringify(point.dimensions)) || !isStorableJson(JSON.stringify(extra))) {
      rejected.push({ index, code: 'unstorable_value', message: 'dimensions hold \\u0000 or a lone surrogate, which PostgreSQL cannot store' })
      return
    }
    const target = t < bounds.start ? late : raw
    target.t.push(point.timestamp.toISOString())
    target.m.push(point.metricId)
    target.v.push(value.text)
    target.d.push(point.dimensions)
    target.md.push(extra)
    const range = ranges.get(point.metricId)
    ranges.set(point.metricId, range ? { min: Math.min(range.min, t), max: Math.max(range.max, t) } : { min: t, max: t })
  })
  await insertInto(trx, 'ts.time_series_data', orgId, raw)
  await insertInto(trx, 'ts.time_series_late', orgId, late)
  if (ranges.size > 0) {
    const entries = [...ranges]
    await sql`
      insert into ts.rollup_invalidations (organization_id, metric_id, range_start, range_end)
      select ${orgId}::uuid, u.m, u.s, u.e
        from unnest(${entries.map(([id]) => id)}::uuid[], ${entries.map(([, r]) => new Date(r.min).toISOString())}::timestamptz[],
                    ${entries.map(([, r]) => new Date(r.max).toISOString())}::timestamptz[]) as u(m, s, e)`.execute(trx)
  }
  return { stored: raw.t.length + late.t.length, late: late.t.length, rejected }
}
