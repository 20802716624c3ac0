import type { SeriesResponse } from '../timeseries/series.schema.ts'
import { mergePoints } from './top-groups.ts'
import type { WidgetRange } from './widget-data.schema.ts'

/**
 * The figures of a stat card (issue 5), as Metabase's and Grafana's stat panels compute them:
 * the metric over the whole selected range, compared with the period of the same length just
 * before it. (The latest bucket against the one before gave absurd changes whenever the
 * current bucket had only started filling.)
 */

export interface Period {
  from: string
  to: string
}

/**
 * The query's aggregation over every point of an answer, all buckets and groups: sum and count
 * add up, avg is weighted by each bucket's point count (the bucket values are sum / count, so
 * this is the average of every point), min and max are those of the whole answer. Null when
 * the answer has no point.
 */
export function rangeAggregate(series: Pick<SeriesResponse, 'agg' | 'points'>): number | null {
  return mergePoints(series.agg, series.points).value
}

/**
 * The range compared and the period of the same length ending where it starts. A range without
 * a start (the engine then takes a default) has none: there is no agreed period to compare with.
 * A range that does not run forward has none either; the series engine refuses it with its own
 * error.
 */
export function comparedPeriods(range: WidgetRange, now = new Date()): { current: Period; previous: Period } | null {
  if (range.from === undefined) return null
  const from = Date.parse(range.from)
  const to = range.to === undefined ? now.getTime() : Date.parse(range.to)
  if (!(from < to)) return null
  const iso = (ms: number) => new Date(ms).toISOString()
  return { current: { from: iso(from), to: iso(to) }, previous: { from: iso(from - (to - from)), to: iso(from) } }
}
