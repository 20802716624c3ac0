import type { SeriesResponse } from '../timeseries/series.schema.ts'

/**
 * Top N + "other" for a grouped series (issue 5: "group by a dimension (top N + other)").
 *
 * The series engine keeps its own top groups by point count; a chart wants fewer lines, the
 * biggest ones. Groups are ranked by their total over the range (for sum and count the sum of
 * their bucket values; for avg, min and max, which have no meaningful total, by point count),
 * the first `limit` keep their name and every other group, including the engine's own
 * "other", is merged per bucket into the group "other": counts add; sum and count values add;
 * min and max combine; avg is weighted by each part's count.
 */

export const OTHER_GROUP = 'other'

type Point = SeriesResponse['points'][number]
type Aggregation = SeriesResponse['agg']

/** A group's ranking weight over the whole range. */
function weight(agg: Aggregation, point: Point): number {
  if (agg === 'sum' || agg === 'count') {
    return point.value ?? 0
  }
  return point.count
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b))
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b))

/** Merges points of the same bucket into one, as the aggregation combines. */
export function mergePoints(agg: Aggregation, points: Point[]): Omit<Point, 'group' | 't'> {
  let count = 0
  let min: number | null = null
  let max: number | null = null
  let value: number | null = null
  let weighted = 0
  let weightedCount = 0
  for (const point of points) {
    count += point.count
    min = minOf(min, point.min)
    max = maxOf(max, point.max)
    if (point.value === null) {
      continue
    }
    if (agg === 'avg') {
      weighted += point.value * point.count
      weightedCount += point.count
    } else if (agg === 'min') {
      value = minOf(value, point.value)
    } else if (agg === 'max') {
      value = maxOf(value, point.value)
    } else {
      value = (value ?? 0) + point.value
    }
  }
  if (agg === 'avg') {
    value = weightedCount > 0 ? weighted / weightedCount : null
  }
  return { value, count, min, max }
}

/** The groups kept by name: the `limit` heaviest, ties broken by name (null first). */
export function topGroups(agg: Aggregation, points: Point[], limit: number): Set<string | null> {
  const totals = new Map<string | null, number>()
  for (const point of points) {
    const group = point.group ?? null
    if (group === OTHER_GROUP) {
      continue
    }
    totals.set(group, (totals.get(group) ?? 0) + weight(agg, point))
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || compareGroups(a[0], b[0]))
  return new Set(ranked.slice(0, limit).map(([group]) => group))
}

function compareGroups(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  if (a === OTHER_GROUP) return 1
  if (b === OTHER_GROUP) return -1
  return a < b ? -1 : 1
}

/**
 * The points of a grouped series with at most `limit` named groups plus "other". Ungrouped
 * points (no group key) are returned as they are. Oldest bucket first; inside a bucket the
 * groups in name order (points without the dimension first, "other" last).
 */
export function limitGroups(agg: Aggregation, points: Point[], limit: number): Point[] {
  if (points.length === 0 || !points.some((point) => 'group' in point)) {
    return points
  }
  const kept = topGroups(agg, points, limit)
  const rest = new Map<string, Point[]>()
  const out: Point[] = []
  for (const point of points) {
    if (kept.has(point.group ?? null)) {
      out.push(point)
      continue
    }
    const bucket = rest.get(point.t) ?? []
    bucket.push(point)
    rest.set(point.t, bucket)
  }
  for (const [t, bucket] of rest) {
    out.push({ t, ...mergePoints(agg, bucket), group: OTHER_GROUP })
  }
  return out.sort((a, b) => Date.parse(a.t) - Date.parse(b.t) || compareGroups(a.group ?? null, b.group ?? null))
}
