import { sql, type RawBuilder } from 'kysely'
import { AppError } from '../../platform/errors.ts'

/** Bucket sizes a series query accepts; 1d, 1w and 1mo follow the calendar of the query's time zone. */
export const BUCKETS = ['1m', '5m', '15m', '1h', '1d', '1w', '1mo'] as const
export type Bucket = (typeof BUCKETS)[number]
export const AGGREGATIONS = ['sum', 'avg', 'count', 'min', 'max'] as const
export type Aggregation = (typeof AGGREGATIONS)[number]

const MINUTE = 60_000
/** Nominal lengths, used to count buckets (calendar buckets vary by an hour or a few days). */
const NOMINAL_MS: Record<Bucket, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '1d': 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
  '1mo': 30 * 1440 * MINUTE,
}
const FIXED: Partial<Record<Bucket, string>> = { '1m': '1 minute', '5m': '5 minutes', '15m': '15 minutes', '1h': '1 hour' }
const CALENDAR: Partial<Record<Bucket, string>> = { '1d': 'day', '1w': 'week', '1mo': 'month' }

/** What `bucket=auto` aims at: the finest standard bucket giving at most this many points. */
export const AUTO_TARGET_POINTS = 300
/** Longest range a query may span (the rollups keep five years, seed 000). */
export const MAX_RANGE_MS = 5 * 366 * 1440 * MINUTE
/** Most buckets one answer may hold (a week of minutes is 10,080). */
export const MAX_BUCKETS = 20_000

export function invalidRange(message: string): AppError {
  return new AppError('invalid_time_range', 400, message, { details: [{ field: 'querystring', message }] })
}

export function resolveBucket(requested: Bucket | 'auto', from: Date, to: Date): Bucket {
  const span = to.getTime() - from.getTime()
  if (requested === 'auto') {
    return BUCKETS.find((bucket) => span / NOMINAL_MS[bucket] <= AUTO_TARGET_POINTS) ?? '1mo'
  }
  if (span / NOMINAL_MS[requested] > MAX_BUCKETS) {
    throw invalidRange(`A ${requested} bucket over this range gives more than ${MAX_BUCKETS} points; use a coarser bucket or a shorter range`)
  }
  return requested
}

/** Validates an IANA time zone name (the same database PostgreSQL ships, through ICU). */
export function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return tz
  } catch {
    throw new AppError('invalid_time_zone', 400, `Unknown time zone ${JSON.stringify(tz)}; use an IANA name such as Europe/Paris`, {
      details: [{ field: 'querystring.tz', message: 'unknown time zone' }],
    })
  }
}

/**
 * The SQL expression giving the start of the bucket a timestamp falls in: date_bin from
 * 2000-01-01 UTC for fixed sizes (aligned to UTC minutes and hours), date_trunc in the time zone
 * for calendar ones (local midnight, Monday, first of the month).
 */
export function bucketSql(bucket: Bucket, tz: string): (value: RawBuilder<unknown>) => RawBuilder<Date> {
  const fixed = FIXED[bucket]
  if (fixed) {
    return (value) => sql<Date>`date_bin(${fixed}::interval, ${value}, timestamptz '2000-01-01 00:00:00+00')`
  }
  const unit = CALENDAR[bucket] ?? 'day'
  return (value) => sql<Date>`date_trunc(${unit}, ${value}, ${tz})`
}
