import type { Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import type { SavedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { pipelineSeries } from '../timeseries/pipeline-series.ts'
import type { SeriesResponse } from '../timeseries/series.schema.ts'
import { metricSeries } from '../timeseries/series.service.ts'
import { executeQueryWidget, finishQueryWidget, planQueryWidget, type PlannedQueryWidget } from './query-widget.ts'
import { limitGroups } from './top-groups.ts'
import { DEFAULT_GROUP_LIMIT, type DataQuery, type SeriesDataQuery, type WidgetData, type WidgetRange } from './widget-data.schema.ts'

/** Everything a set of widget queries shares: the view's range, filters and the engines' settings. */
export interface DataQueryContext {
  range: WidgetRange
  cacheTtlSeconds: number
  savedQueries: SavedQueryRunContext
  /**
   * The view's dimension filters (dimension → value). A metric widget filters its points on
   * those it does not filter itself; a saved-query widget takes them as parameters or row
   * filters (see query-widget.ts); pipeline widgets have no dimension filters yet.
   */
  filters?: Record<string, string>
}

/**
 * Runs a series widget's query through the series engine: metrics through the rollups, raw and
 * compressed points (and the query cache), pipeline fields through the pipeline series. A
 * grouped answer keeps the query's top N groups and merges the rest into "other".
 */
export async function runSeriesQuery(db: Trx, actor: OrgActor, query: SeriesDataQuery, range: WidgetRange, cacheTtlSeconds: number, filters: Record<string, string> = {}): Promise<SeriesResponse> {
  const common = {
    ...(range.from === undefined ? {} : { from: range.from }),
    ...(range.to === undefined ? {} : { to: range.to }),
    ...(range.tz === undefined ? {} : { tz: range.tz }),
    ...(query.bucket === undefined ? {} : { bucket: query.bucket }),
    ...(query.aggregation === undefined ? {} : { agg: query.aggregation }),
    ...(query.groupBy === undefined ? {} : { groupBy: query.groupBy }),
  }
  let series: SeriesResponse
  if (query.source === 'metric') {
    // The widget's own filter wins, so a widget pinned to one region keeps showing it.
    const merged = { ...filters, ...query.filters }
    series = await metricSeries(db, actor, query.metricId, { ...common, ...(Object.keys(merged).length > 0 ? { filters: merged } : {}) }, cacheTtlSeconds)
  } else {
    series = await pipelineSeries(db, actor, query.pipelineId, { ...common, ...(query.field === undefined ? {} : { field: query.field }) })
  }
  if (query.groupBy === undefined) {
    return series
  }
  return { ...series, points: limitGroups(series.agg, series.points, query.limit ?? DEFAULT_GROUP_LIMIT) }
}

/** An error the user can act on becomes the widget's error state; anything else propagates (500). */
function errorState(error: unknown): WidgetData {
  if (!(error instanceof AppError) || error.statusCode >= 500) {
    throw error
  }
  return { status: 'error', error: { code: error.code, message: error.message } }
}

/**
 * A dashboard's widgets answered independently: a widget whose query fails for a reason the
 * user can act on (a deleted metric, a bad range, SQL the source rejects) carries that error
 * and the others still render; anything else is a server error and propagates.
 *
 * Series queries run one after another in the request's transaction (one snapshot for the
 * dashboard). Saved queries are planned there too (parameters, cache lookup), then every
 * source that must be asked runs at the same time (the dashboard waits for the slowest, not
 * the sum; the transaction does no work meanwhile), then each execution is cached and logged.
 */
export async function runDataQueries(db: Trx, actor: OrgActor, queries: DataQuery[], context: DataQueryContext): Promise<WidgetData[]> {
  const results: WidgetData[] = new Array<WidgetData>(queries.length)
  const planned: Array<{ index: number; widget: PlannedQueryWidget }> = []
  const filters = context.filters ?? {}
  for (const [index, query] of queries.entries()) {
    try {
      if (query.source === 'query') {
        planned.push({ index, widget: await planQueryWidget(db, actor, context.savedQueries, query, filters) })
      } else {
        results[index] = { status: 'ok', series: await runSeriesQuery(db, actor, query, context.range, context.cacheTtlSeconds, filters) }
      }
    } catch (error) {
      results[index] = errorState(error)
    }
  }
  const outcomes = await Promise.all(planned.map(({ widget }) => executeQueryWidget(widget)))
  for (const [i, { index, widget }] of planned.entries()) {
    try {
      results[index] = { status: 'ok', table: await finishQueryWidget(db, actor, widget, outcomes[i]) }
    } catch (error) {
      results[index] = errorState(error)
    }
  }
  return results
}
