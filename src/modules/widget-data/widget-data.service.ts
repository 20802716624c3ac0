import type { Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import type { SavedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { pipelineSeries } from '../timeseries/pipeline-series.ts'
import type { SeriesResponse } from '../timeseries/series.schema.ts'
import { metricSeries } from '../timeseries/series.service.ts'
import { executeQueryWidget, finishQueryWidget, planQueryWidget } from './query-widget.ts'
import { comparedPeriods, rangeAggregate } from './stat-comparison.ts'
import { limitGroups } from './top-groups.ts'
import { DEFAULT_GROUP_LIMIT, type SeriesDataQuery, type StatComparison, type WidgetData, type WidgetQuery, type WidgetRange } from './widget-data.schema.ts'

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
  /** Widgets answered at once (default 1: one after another); see runDataQueries. */
  concurrency?: number
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

/** A series widget's answer: its series, and a stat card's comparison when it asked for one. */
export interface SeriesWidgetData {
  status: 'ok'
  series: SeriesResponse
  comparison?: StatComparison
}

/**
 * A series widget's answer. With `compare` (stat cards) and a range that has a start, it also
 * carries the comparison: the aggregation over the whole range, from the very points the
 * sparkline draws, and over the period of the same length just before it, from a second run of
 * the query over that period. The second run keeps the bucket (the same rollups serve it) but
 * drops groupBy: the figure is a total over every group, and an ungrouped metric query reads
 * the metric's totals instead of every series.
 */
export async function runSeriesWidget(db: Trx, actor: OrgActor, query: SeriesDataQuery & { compare?: boolean }, range: WidgetRange, cacheTtlSeconds: number, filters: Record<string, string> = {}): Promise<SeriesWidgetData> {
  const periods = query.compare === true ? comparedPeriods(range) : null
  if (!periods) {
    return { status: 'ok', series: await runSeriesQuery(db, actor, query, range, cacheTtlSeconds, filters) }
  }
  // Both periods end at the same instant: a range ending "now" is pinned once for the two runs.
  const series = await runSeriesQuery(db, actor, query, { ...range, ...periods.current }, cacheTtlSeconds, filters)
  const before = await runSeriesQuery(db, actor, { ...query, bucket: series.bucket, groupBy: undefined, limit: undefined }, { ...range, ...periods.previous }, cacheTtlSeconds, filters)
  return {
    status: 'ok',
    series,
    comparison: {
      value: rangeAggregate(series),
      previous: rangeAggregate(before),
      from: periods.current.from,
      to: periods.current.to,
      previousFrom: periods.previous.from,
      previousTo: periods.previous.to,
    },
  }
}

/** An error the user can act on becomes the widget's error state; anything else propagates (500). */
function errorState(error: unknown): WidgetData {
  if (!(error instanceof AppError) || error.statusCode >= 500) {
    throw error
  }
  return { status: 'error', error: { code: error.code, message: error.message } }
}

/**
 * Opens a transaction in the caller's tenant context and runs fn in it. A route that wants
 * widgets answered side by side gives one that opens a new transaction per call; code that
 * already holds a transaction passes inTransaction(trx), and everything runs in it.
 */
export type TenantRunner = <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>

export function inTransaction(trx: Trx): TenantRunner {
  return (fn) => fn(trx)
}

/**
 * A dashboard's widgets answered independently: a widget whose query fails for a reason the
 * user can act on (a deleted metric, a bad range, SQL the source rejects) carries that error
 * and the others still render; anything else is a server error and propagates.
 *
 * Each widget's database work is one `run` call: series queries through the series engine, a
 * saved-query widget's plan (parameters, cache lookup) and later its record (cache, log). With
 * `concurrency` above 1 (and a runner opening a transaction per call), that many widgets are
 * answered at once, so a cold dashboard waits for its slowest widgets rather than their sum.
 * A saved query's source is asked outside any transaction: no pooled connection waits on
 * another database.
 */
export async function runDataQueries(run: TenantRunner, actor: OrgActor, queries: WidgetQuery[], context: DataQueryContext): Promise<WidgetData[]> {
  const results: WidgetData[] = new Array<WidgetData>(queries.length)
  const filters = context.filters ?? {}
  await forEachLimited(queries.length, context.concurrency ?? 1, async (index) => {
    const query = queries[index]!
    try {
      if (query.source === 'query') {
        const planned = await run((db) => planQueryWidget(db, actor, context.savedQueries, query, filters))
        const outcome = await executeQueryWidget(planned)
        // The execution is recorded even when it failed: the error is returned, not thrown, so
        // the transaction that logs it commits.
        results[index] = await run(async (db): Promise<WidgetData> => {
          try {
            return { status: 'ok', table: await finishQueryWidget(db, actor, planned, outcome) }
          } catch (error) {
            return errorState(error)
          }
        })
      } else {
        results[index] = await run((db) => runSeriesWidget(db, actor, query, context.range, context.cacheTtlSeconds, filters))
      }
    } catch (error) {
      results[index] = errorState(error)
    }
  })
  return results
}

/** Calls fn(0 … count - 1), at most `limit` at a time. */
async function forEachLimited(count: number, limit: number, fn: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < count) {
      await fn(next++)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, lane))
}
