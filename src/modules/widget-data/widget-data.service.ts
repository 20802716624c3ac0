import type { Db } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { pipelineSeries } from '../timeseries/pipeline-series.ts'
import type { SeriesResponse } from '../timeseries/series.schema.ts'
import { metricSeries } from '../timeseries/series.service.ts'
import type { DataQuery, WidgetData, WidgetRange } from './widget-data.schema.ts'

/**
 * Runs a widget's data query through the series engine: metrics through the rollups, raw and
 * compressed points (and the query cache), pipeline fields through the pipeline series.
 */
export async function runDataQuery(db: Db, actor: OrgActor, query: DataQuery, range: WidgetRange, cacheTtlSeconds: number): Promise<SeriesResponse> {
  const common = {
    ...(range.from === undefined ? {} : { from: range.from }),
    ...(range.to === undefined ? {} : { to: range.to }),
    ...(range.tz === undefined ? {} : { tz: range.tz }),
    ...(query.bucket === undefined ? {} : { bucket: query.bucket }),
    ...(query.aggregation === undefined ? {} : { agg: query.aggregation }),
    ...(query.groupBy === undefined ? {} : { groupBy: query.groupBy }),
  }
  if (query.source === 'metric') {
    return metricSeries(db, actor, query.metricId, { ...common, ...(query.filters ? { filters: query.filters } : {}) }, cacheTtlSeconds)
  }
  return pipelineSeries(db, actor, query.pipelineId, { ...common, ...(query.field === undefined ? {} : { field: query.field }) })
}

/**
 * A dashboard's widgets answered independently: a widget whose query fails for a reason the
 * user can act on (a deleted metric, a bad range) carries that error and the others still
 * render; anything else is a server error and propagates.
 */
export async function runDataQueries(db: Db, actor: OrgActor, queries: DataQuery[], range: WidgetRange, cacheTtlSeconds: number): Promise<WidgetData[]> {
  const results: WidgetData[] = []
  // One after another: they share the request's transaction (one snapshot for the dashboard).
  for (const query of queries) {
    try {
      results.push({ status: 'ok', series: await runDataQuery(db, actor, query, range, cacheTtlSeconds) })
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode >= 500) {
        throw error
      }
      results.push({ status: 'error', error: { code: error.code, message: error.message } })
    }
  }
  return results
}
