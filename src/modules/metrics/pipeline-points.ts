import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { compilePath, type PathGetter } from '../mappings/mapping.path.ts'
import { checkValue } from './points.write.ts'
import { insertPoints, type NewPoint } from './points.write.ts'

/**
 * Points of 'pipeline' metrics: called by each stored batch of a pipeline (ingest API,
 * webhooks, runs) in the batch's transaction, so the points commit with the records. Each
 * active metric of the pipeline reads its value (value_path) and dimensions
 * (dimension_paths) from every stored row; rows without a numeric value give no point (a
 * record may simply not carry this metric). The point's time is the record time, else the
 * ingestion time.
 */

/** Compiled JSONPaths by text; bounded, as paths come from a few metric definitions. */
const getters = new Map<string, PathGetter>()
function getter(path: string): PathGetter {
  let compiled = getters.get(path)
  if (!compiled) {
    if (getters.size >= 1000) {
      getters.clear()
    }
    compiled = compilePath(path)
    getters.set(path, compiled)
  }
  return compiled
}

interface PipelineMetric {
  id: string
  value_path: string
  dimension_paths: Record<string, string>
}

export interface PipelinePointsResult {
  points: number
  skipped: number
}

export async function pointsFromPipelineRows(
  trx: Db,
  orgId: string,
  pipelineId: string,
  rows: readonly unknown[],
  recordTimes: ReadonlyArray<string | Date | null> | null,
): Promise<PipelinePointsResult> {
  if (rows.length === 0) {
    return { points: 0, skipped: 0 }
  }
  const { rows: metrics } = await sql<PipelineMetric>`
    select id::text, value_path, dimension_paths from app.metrics
     where organization_id = ${orgId} and pipeline_id = ${pipelineId} and source = 'pipeline' and is_active and value_path is not null`.execute(trx)
  if (metrics.length === 0) {
    return { points: 0, skipped: 0 }
  }
  const now = new Date()
  const points: NewPoint[] = []
  let skipped = 0
  for (const metric of metrics) {
    let read: PathGetter
    let dimensions: Array<[string, PathGetter]>
    try {
      read = getter(metric.value_path)
      dimensions = Object.entries(metric.dimension_paths).map(([name, path]) => [name, getter(path)])
    } catch {
      // Paths are checked when the metric is saved; one that no longer parses stores nothing.
      skipped += rows.length
      continue
    }
    rows.forEach((row, index) => {
      const value = read(row)
      if (!checkValue(value).ok) {
        skipped++
        return
      }
      const dims: Record<string, unknown> = {}
      for (const [name, get] of dimensions) {
        const dim = get(row)
        if (dim !== undefined && dim !== null) {
          dims[name] = dim
        }
      }
      const time = recordTimes?.[index]
      points.push({ metricId: metric.id, timestamp: time ? new Date(time) : now, value: value as number | string, dimensions: dims })
    })
  }
  const result = await insertPoints(trx, orgId, points)
  return { points: result.stored, skipped: skipped + result.rejected.length }
}
