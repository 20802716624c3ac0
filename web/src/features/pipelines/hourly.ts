/** The Data tab's records-per-hour arithmetic, kept pure so it is tested without a browser. */

export interface HourlyPoint {
  hour: string
  recordCount: number
  totalBytes: number
}

export interface HourBucket {
  start: number
  recordCount: number
  totalBytes: number
}

export const VOLUME_RANGES = [
  { value: '24h', label: 'Last 24 hours', short: '24 h', hours: 24 },
  { value: '7d', label: 'Last 7 days', short: '7 d', hours: 24 * 7 },
] as const

export type VolumeRange = (typeof VOLUME_RANGES)[number]

const HOUR_MS = 3_600_000

/** The hours of a range ending with the current one: the request's from/to and the first bar's start. */
export function volumeSpan(range: VolumeRange, now: number): { from: string; to: string; start: number } {
  const start = Math.floor(now / HOUR_MS) * HOUR_MS - (range.hours - 1) * HOUR_MS
  return { from: new Date(start).toISOString(), to: new Date(now).toISOString(), start }
}

/** One bucket per hour from `start`, oldest first; the API leaves out hours without rows, they count 0 here. */
export function fillHours(points: HourlyPoint[], start: number, hours: number): HourBucket[] {
  const byHour = new Map(points.map((point) => [new Date(point.hour).getTime(), point]))
  return Array.from({ length: hours }, (_, i) => {
    const at = start + i * HOUR_MS
    const point = byHour.get(at)
    return { start: at, recordCount: point?.recordCount ?? 0, totalBytes: point?.totalBytes ?? 0 }
  })
}
