import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { pipelineExists, rawHours, rolledUpHours, rollupState } from './pipeline-data.repository.ts'
import type { HourlyQuery, HourlyResponse } from './pipeline-hourly.schema.ts'

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
const MAX_RANGE_MS = 92 * DAY_MS
/** How far behind the rollup may be for the newest rows to be counted raw (a bounded scan). */
const MAX_REALTIME_MS = 2 * HOUR_MS

const invalid = (field: string, message: string) => new AppError('validation_failed', 400, `${field} ${message}`, { details: [{ field, message }] })

/**
 * Records and bytes per hour of one pipeline (seed 001's pipeline_data_hourly), read from the
 * rollup table for the hours before the rollup's watermark, and counted raw from the
 * watermark's hour on ("real-time aggregate"). Not from the last refresh instant: a batch whose
 * transaction started before a refresh (ingested_at is its start) but committed after it is
 * in neither the rollup nor the rows ingested since; the rollup recounts those hours on its
 * next run because its watermark trails its refreshes by a margin.
 */
export async function hourlyData(db: Db, actor: OrgActor, pipelineId: string, query: HourlyQuery, now = new Date()): Promise<HourlyResponse> {
  if (!(await pipelineExists(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  const to = query.to ? new Date(query.to) : now
  const requestedFrom = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS)
  const from = new Date(Math.floor(requestedFrom.getTime() / HOUR_MS) * HOUR_MS)
  if (from.getTime() >= to.getTime()) {
    throw invalid('querystring.from', 'must be before to')
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
    throw invalid('querystring.to', 'must be at most 92 days after from')
  }
  const { watermark, refreshedAt: asOf } = await rollupState(db)
  const points = new Map<number, { recordCount: number; totalBytes: number }>()
  const add = (rows: Array<{ bucket: Date; record_count: string; total_bytes: string }>) => {
    for (const row of rows) {
      const point = points.get(row.bucket.getTime()) ?? { recordCount: 0, totalBytes: 0 }
      point.recordCount += Number(row.record_count)
      point.totalBytes += Number(row.total_bytes)
      points.set(row.bucket.getTime(), point)
    }
  }
  const rawStart = watermark && new Date(Math.floor(watermark.getTime() / HOUR_MS) * HOUR_MS)
  if (rawStart && now.getTime() - rawStart.getTime() <= MAX_REALTIME_MS) {
    const split = new Date(Math.min(Math.max(rawStart.getTime(), from.getTime()), to.getTime()))
    if (from < split) add(await rolledUpHours(db, actor.orgId, pipelineId, from, split))
    if (split < to) add(await rawHours(db, actor.orgId, pipelineId, split, to))
  } else {
    // The rollup is far behind (no worker?): its rows, plus a bounded raw count since its last run.
    add(await rolledUpHours(db, actor.orgId, pipelineId, from, to))
    if (asOf && asOf.getTime() < to.getTime() && now.getTime() - asOf.getTime() <= MAX_REALTIME_MS) {
      add(await rawHours(db, actor.orgId, pipelineId, asOf.getTime() > from.getTime() ? asOf : from, to))
    }
  }
  return {
    points: [...points.entries()].sort(([a], [b]) => a - b).map(([hour, point]) => ({ hour: new Date(hour).toISOString(), ...point })),
    asOf: asOf?.toISOString() ?? null,
  }
}
