import type pg from 'pg'
import { invalidatePartitionBounds } from '../metrics/points.write.ts'
import { attachedDaysBefore, detachConcurrently, quoteQualified, unfinishedCompressions } from './maintenance.ts'

/**
 * ts:compress (daily): rewrites old days of ts.time_series_data into ts.time_series_segments
 * (seed 000's compression policy, 30 days by default).
 *
 * The rule, per (metric, day): a metric's points of a day move into segments once the day
 * ended more than app.metrics.compress_after_days (else the default) ago. A partition is
 * detached and dropped once it is empty, its day is past the default delay and the window of
 * partitions partitions:maintain keeps (30 days behind, or it would recreate it), and every
 * older partition is gone, so that attached partitions stay one unbroken range of raw days
 * (the points write path sends a point that no attached partition covers to
 * ts.time_series_late, gaps included, but one range is what the Storage page and an operator
 * expect). A metric with a longer delay therefore keeps its day's partition (and the newer
 * ones) attached until its own delay passes; the other metrics' rows leave that partition
 * meanwhile.
 *
 * Each day is one transaction (ops.compress_time_series_day): the partition is locked against
 * inserts, its rows are deleted and merged into segments in one statement, and the partition
 * is marked 'compressed' in ops.partitions, which routes new points of that day to the late
 * table. Then, outside any transaction, the partition is detached CONCURRENTLY (inserts and
 * queries on the other days carry on), rows that slipped in before the writers saw the
 * catalogue change are absorbed into the segments, and the empty table is dropped.
 * Late points of compressed days are merged into their segments by the next run.
 */

const DAY_MS = 86_400_000

export interface CompressionOptions {
  now?: Date
  /** Default delay in days (seed 000: 30). */
  defaultDays?: number
  /** Days behind today that partitions:maintain keeps partitions for (PARTITIONED_TABLES in jobs.tasks.ts). */
  keepBehindDays?: number
}

export interface CompressionSummary {
  days: number
  points: number
  latePoints: number
  series: number
  detached: string[]
}

interface DayResult {
  series: number | null
  points: string
  late_points: string
  has_rows: boolean
  partition_table: string | null
}

export async function runCompression(client: pg.Client, options: CompressionOptions = {}): Promise<CompressionSummary> {
  const now = options.now ?? new Date()
  const defaultDays = options.defaultDays ?? 30
  const keepBehindDays = options.keepBehindDays ?? 30
  const summary: CompressionSummary = { days: 0, points: 0, latePoints: 0, series: 0, detached: [] }

  // A run that stopped between marking a partition 'compressed' and dropping it finishes first.
  for (const { partition_table: table, day } of await unfinishedCompressions(client, 'ts.time_series_data')) {
    await detachAndDrop(client, table, day, summary)
  }

  const { rows: delayRows } = await client.query<{ days: number }>('select private.operator_min_compress_after_days($1) as days', [defaultDays])
  const minDelay = delayRows[0]?.days ?? defaultDays
  const candidates = await attachedDaysBefore(client, 'ts.time_series_data', new Date(now.getTime() - minDelay * DAY_MS))
  const { rows: oldest } = await client.query<{ day: string | null }>(
    `select to_char(min(range_start) at time zone 'UTC', 'YYYY-MM-DD') as day from ops.partitions where parent_table = 'ts.time_series_data' and state = 'attached'`)

  // Detaching stays allowed while every older partition has gone.
  let contiguous = candidates[0]?.day === oldest[0]?.day
  for (const { day, range_end: rangeEnd } of candidates) {
    const ageDays = (now.getTime() - rangeEnd.getTime()) / DAY_MS
    const detach = contiguous && ageDays >= defaultDays && ageDays >= keepBehindDays
    const result = await compressDay(client, day, defaultDays, now, detach)
    if (detach && !result.has_rows && result.partition_table) {
      await detachAndDrop(client, result.partition_table, day, summary)
    } else {
      contiguous = false
    }
  }

  // Days whose partition is gone and that received late points since the last run.
  const { rows: lateDays } = await client.query<{ day: string }>(
    `select to_char(d.day, 'YYYY-MM-DD') as day from private.operator_late_days() d
      where not exists (select 1 from ops.partitions p where p.parent_table = 'ts.time_series_data' and p.state = 'attached'
                           and p.range_start = d.day::timestamp at time zone 'UTC')`)
  for (const { day } of lateDays) {
    await compressDay(client, day, defaultDays, now, false)
  }
  return summary

  async function compressDay(c: pg.Client, day: string, days: number, at: Date, detach: boolean): Promise<DayResult> {
    await c.query('begin')
    try {
      // Waits for inserts into the day's partition to finish; a long wait means something is
      // wrong, and the next run retries.
      await c.query("set local lock_timeout = '30s'")
      const { rows } = await c.query<DayResult>('select * from ops.compress_time_series_day($1::date, $2, $3, $4)', [day, days, at, detach])
      await c.query('commit')
      const row = rows[0]!
      summary.days++
      summary.series += row.series ?? 0
      summary.points += Number(row.points ?? 0)
      summary.latePoints += Number(row.late_points ?? 0)
      return row
    } catch (error) {
      await c.query('rollback').catch(() => undefined)
      throw error
    }
  }
}

async function detachAndDrop(client: pg.Client, table: string, day: string, summary: CompressionSummary): Promise<void> {
  await detachConcurrently(client, 'ts.time_series_data', table)
  const { rows } = await client.query<{ points: string }>('select ops.absorb_detached_time_series($1, $2::date) as points', [table, day])
  summary.points += Number(rows[0]?.points ?? 0)
  await client.query(`drop table ${quoteQualified(table)}`)
  summary.detached.push(table)
  // The write path decides raw or late per statement from the catalogue, so other processes
  // need no signal; this process's cached partition range is refreshed at once all the same.
  invalidatePartitionBounds()
}
