/**
 * Instants shown in a time zone: the view's tz (IANA) or UTC. Exports show wall-clock times
 * so a spreadsheet or a printed page reads like the dashboard on screen.
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(tz: string): Intl.DateTimeFormat {
  let format = formatters.get(tz)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(tz, format)
  }
  return format
}

/** The wall-clock time of `instant` in `tz`, as a Date whose UTC fields carry it (what a spreadsheet cell holds). */
export function wallClock(instant: Date, tz: string): Date {
  const parts = Object.fromEntries(formatter(tz).formatToParts(instant).map((part) => [part.type, part.value]))
  const utc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second))
  return new Date(utc + instant.getUTCMilliseconds())
}

const pad = (n: number) => String(Math.abs(n)).padStart(2, '0')

/** ISO 8601 with the zone's offset (2026-03-01T09:00:00.000+01:00); UTC keeps the API's own form (…Z). */
export function isoInZone(instant: Date, tz: string): string {
  if (tz === 'UTC') return instant.toISOString()
  const local = wallClock(instant, tz)
  const offsetMinutes = Math.round((local.getTime() - instant.getTime()) / 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  return `${local.toISOString().slice(0, 23)}${sign}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`
}

/** A short readable time for printed headers: 2026-03-01 09:00 (seconds when present). */
export function readableInZone(instant: Date, tz: string): string {
  const local = wallClock(instant, tz).toISOString()
  const seconds = local.slice(17, 19)
  return `${local.slice(0, 10)} ${local.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`}`
}
