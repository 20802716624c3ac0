import type { Run, Statistics } from './api.ts'

/** The statistics page's arithmetic, kept pure so it is tested without a browser. */

export const PERIODS = [
  { value: '24h', label: 'Last 24 hours', short: '24 h', hours: 24, bucketHours: 1 },
  { value: '7d', label: 'Last 7 days', short: '7 d', hours: 24 * 7, bucketHours: 24 },
  { value: '30d', label: 'Last 30 days', short: '30 d', hours: 24 * 30, bucketHours: 24 },
] as const

export type Period = (typeof PERIODS)[number]
export const DEFAULT_PERIOD: Period = PERIODS[1]

export function periodFrom(value: string | null): Period {
  return PERIODS.find((period) => period.value === value) ?? DEFAULT_PERIOD
}

export interface Trend {
  direction: Statistics['trendDirection']
  /** Percentage points, current minus previous; null without both rates. */
  delta: number | null
  arrow: '↑' | '↓' | '→' | ''
  text: string
}

/** The success-rate trend against the previous period of equal length, in words and an arrow. */
export function successTrend(stats: Pick<Statistics, 'successRate' | 'previousSuccessRate' | 'trendDirection'>, periodLabel: string): Trend {
  const { successRate, previousSuccessRate, trendDirection } = stats
  if (successRate === null || previousSuccessRate === null || trendDirection === 'unknown') {
    return { direction: 'unknown', delta: null, arrow: '', text: `No runs in the ${periodLabel.toLowerCase().replace('last', 'previous')} to compare with` }
  }
  const delta = Math.round((successRate - previousSuccessRate) * 10) / 10
  const points = `${Math.abs(delta)} ${Math.abs(delta) === 1 ? 'point' : 'points'}`
  const before = `from ${previousSuccessRate}% in the previous period`
  switch (trendDirection) {
    case 'improving':
      return { direction: trendDirection, delta, arrow: '↑', text: `Up ${points} ${before}` }
    case 'declining':
      return { direction: trendDirection, delta, arrow: '↓', text: `Down ${points} ${before}` }
    case 'stable':
      return { direction: trendDirection, delta, arrow: '→', text: `Steady ${before}` }
  }
}

export interface Bucket {
  start: number
  success: number
  failed: number
  cancelled: number
  other: number
  total: number
}

type BucketRun = Pick<Run, 'status' | 'startedAt' | 'createdAt'>

/**
 * Runs counted per hour (a 24-hour period) or per local day, oldest first, with empty
 * buckets kept so the gaps show. A run counts where it started (or was queued).
 */
export function bucketRuns(runs: BucketRun[], period: Period, now: number): Bucket[] {
  const step = period.bucketHours * 3_600_000
  const end = new Date(now)
  if (period.bucketHours === 1) {
    end.setMinutes(0, 0, 0)
  } else {
    end.setHours(0, 0, 0, 0)
  }
  const count = Math.round(period.hours / period.bucketHours)
  const buckets: Bucket[] = []
  for (let i = count - 1; i >= 0; i--) {
    const start = new Date(end)
    if (period.bucketHours === 1) {
      start.setHours(end.getHours() - i)
    } else {
      start.setDate(end.getDate() - i)
    }
    buckets.push({ start: start.getTime(), success: 0, failed: 0, cancelled: 0, other: 0, total: 0 })
  }
  for (const run of runs) {
    const at = new Date(run.startedAt ?? run.createdAt).getTime()
    // The last bucket whose start is at or before the run; runs before the first are outside the period.
    let index = -1
    for (let i = buckets.length - 1; i >= 0; i--) {
      if ((buckets[i]?.start ?? Infinity) <= at) {
        index = i
        break
      }
    }
    const bucket = buckets[index]
    if (!bucket || at > now || (index === buckets.length - 1 && at - bucket.start >= step)) {
      continue
    }
    bucket.total += 1
    if (run.status === 'Success') {
      bucket.success += 1
    } else if (run.status === 'Failed' || run.status === 'Timeout') {
      bucket.failed += 1
    } else if (run.status === 'Cancelled' || run.status === 'Cancelling') {
      bucket.cancelled += 1
    } else {
      bucket.other += 1
    }
  }
  return buckets
}

export interface DurationStats {
  min: number
  max: number
  avg: number
  median: number
}

/**
 * Durations of the finished runs, in minutes. get_workflow_statistics rounds its mean and
 * median to 0.01 minute (0.6 s), too coarse for runs of seconds, and has no fastest or slowest.
 */
export function durationStats(runs: Array<Pick<Run, 'durationMinutes' | 'completedAt'>>): DurationStats | null {
  const durations = runs
    .filter((run) => run.completedAt !== null && run.durationMinutes !== null)
    .map((run) => run.durationMinutes as number)
    .sort((a, b) => a - b)
  if (durations.length === 0) {
    return null
  }
  const middle = Math.floor(durations.length / 2)
  const median = durations.length % 2 === 1 ? (durations[middle] ?? 0) : ((durations[middle - 1] ?? 0) + (durations[middle] ?? 0)) / 2
  return {
    min: durations[0] ?? 0,
    max: durations[durations.length - 1] ?? 0,
    avg: durations.reduce((sum, value) => sum + value, 0) / durations.length,
    median,
  }
}
