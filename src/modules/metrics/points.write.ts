import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { notifyChange } from '../live/live.notify.ts'
import { isStorableJson } from '../ingest/pipeline-rows.ts'

/**
 * The one write path of metric points, shared by the push API, pipeline batches and scheduled
 * calculations. Points go to ts.time_series_data when a partition covers their day, to
 * ts.time_series_late when none does (their day was compressed and detached, or expired;
 * compression merges late points into segments later), and are refused when they are past
 * the newest partition (the worker creates partitions ahead; never on this path). Each batch
 * then records, per metric, the time range it touched in ts.rollup_invalidations: the rollup
 * job and the query cache recompute only that. Everything runs in the caller's transaction.
 *
 * The raw/late split is decided inside the insert statement, from the partitions attached in
 * that statement's snapshot, never from a cache: compression (or retention) in another process
 * may detach a day at any moment, and a point routed to a partition that is gone would fail
 * its whole batch. The statement sees a day either still attached (its row lands in the
 * partition; DETACH ... CONCURRENTLY waits for this transaction, and compression absorbs rows
 * that reach a detached day's table) or already being detached (the row goes to the late
 * table), the same way PostgreSQL's own partition routing sees it under that snapshot.
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
  end: number
}

/**
 * The newest partition's end, for refusing points too far in the future. It only grows (the
 * worker adds days ahead), so a few seconds of staleness at worst refuses a point that a
 * fresher read would take; the raw/late routing does not use it.
 */
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
  const { rows } = await sql<{ end: Date | null }>`
    select max(range_end) as end from ops.partitions where parent_table = 'ts.time_series_data' and state = 'attached'`.execute(db)
  const end = rows[0]?.end
  const bounds = end ? { end: end.getTime() } : null
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
 * One statement for the batch, whatever its size: the points travel as parallel arrays (and the
 * JSON of their dimensions and metadata as one JSON array each), as insertPipelineRows does for
 * records. `attached` holds the day ranges of the partitions attached in this statement's
 * snapshot and not being detached (pg_inherits: compression marks its day 'compressed' before
 * the detach, but retention detaches before it updates the catalogue); a point no range covers
 * goes to the late table. Returns how many went there.
 */
async function insertBatch(db: Db, orgId: string, c: Columns): Promise<number> {
  if (c.t.length === 0) {
    return 0
  }
  const { rows } = await sql<{ late: number }>`
    with attached as materialized (
      select p.range_start, p.range_end
        from ops.partitions p
        join pg_catalog.pg_inherits i on i.inhrelid = to_regclass(p.partition_table) and i.inhparent = 'ts.time_series_data'::regclass and not i.inhdetachpending
       where p.parent_table = 'ts.time_series_data' and p.state = 'attached'),
    routed as (
      select u.t, u.m, u.v, u.d, u.md, exists (select 1 from attached a where u.t >= a.range_start and u.t < a.range_end) as raw
        from rows from (unnest(${c.t}::timestamptz[]), unnest(${c.m}::uuid[]), unnest(${c.v}::numeric[]),
                        jsonb_array_elements(${JSON.stringify(c.d)}::jsonb), jsonb_array_elements(${JSON.stringify(c.md)}::jsonb)) as u(t, m, v, d, md)),
    raw as (
      insert into ts.time_series_data ("timestamp", metric_id, organization_id, value, dimensions, metadata)
      select r.t, r.m, ${orgId}::uuid, r.v, r.d, r.md from routed r where r.raw),
    late as (
      insert into ts.time_series_late ("timestamp", metric_id, organization_id, value, dimensions, metadata)
      select r.t, r.m, ${orgId}::uuid, r.v, r.d, r.md from routed r where not r.raw)
    select (count(*) filter (where not r.raw))::int as late from routed r`.execute(db)
  return rows[0]?.late ?? 0
}

export async function insertPoints(trx: Db, orgId: string, points: NewPoint[]): Promise<InsertPointsResult> {
  const rejected: PointRejection[] = []
  const accepted = emptyColumns()
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
    accepted.t.push(point.timestamp.toISOString())
    accepted.m.push(point.metricId)
    accepted.v.push(value.text)
    accepted.d.push(point.dimensions)
    accepted.md.push(extra)
    const range = ranges.get(point.metricId)
    ranges.set(point.metricId, range ? { min: Math.min(range.min, t), max: Math.max(range.max, t) } : { min: t, max: t })
  })
  const late = await insertBatch(trx, orgId, accepted)
  if (ranges.size > 0) {
    const entries = [...ranges]
    const from = new Date(Math.min(...entries.map(([, r]) => r.min))).toISOString()
    const to = new Date(Math.max(...entries.map(([, r]) => r.max))).toISOString()
    await sql`
      with logged as (
        insert into ts.rollup_invalidations (organization_id, metric_id, range_start, range_end)
        select ${orgId}::uuid, u.m, u.s, u.e
          from unnest(${entries.map(([id]) => id)}::uuid[], ${entries.map(([, r]) => new Date(r.min).toISOString())}::timestamptz[],
                      ${entries.map(([, r]) => new Date(r.max).toISOString())}::timestamptz[]) as u(m, s, e))
      -- Delivered to live dashboards when (and only if) this batch commits.
      select ${notifyChange({ orgId, kind: 'metric', ids: entries.map(([id]) => id), from, to })}`.execute(trx)
  }
  return { stored: accepted.t.length, late, rejected }
}
