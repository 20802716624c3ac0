/** Numbers of pipeline runs in words: durations, sizes, counts, rates. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 })
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 })

export function formatCount(value: number | null | undefined, fallback = '—'): string {
  return value === null || value === undefined || Number.isNaN(value) ? fallback : integer.format(value)
}

/** 0.42 → "420 ms", 12.34 → "12.3 s", 245 → "4 min 5 s", 7380 → "2 h 3 min". */
export function formatDuration(seconds: number | null | undefined, fallback = '—'): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) {
    return fallback
  }
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)} ms`
  }
  if (seconds < 60) {
    return `${decimal.format(seconds)} s`
  }
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) {
    const rest = Math.round(seconds - minutes * 60)
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`
  }
  const hours = Math.floor(minutes / 60)
  const restMinutes = minutes - hours * 60
  return restMinutes === 0 ? `${hours} h` : `${hours} h ${restMinutes} min`
}

export function formatMinutes(minutes: number | null | undefined, fallback = '—'): string {
  return minutes === null || minutes === undefined ? fallback : formatDuration(minutes * 60, fallback)
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** Bytes in powers of 1024: 1536 → "1.5 KB". */
export function formatBytes(bytes: number | null | undefined, fallback = '—'): string {
  if (bytes === null || bytes === undefined || Number.isNaN(bytes)) {
    return fallback
  }
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${unit === 0 ? integer.format(value) : decimal.format(value)} ${UNITS[unit] ?? 'B'}`
}

export function formatRate(perSecond: number | null | undefined, unit = 'items'): string {
  return perSecond === null || perSecond === undefined ? '—' : `${decimal.format(perSecond)} ${unit}/s`
}

export function formatPercent(value: number | null | undefined, fallback = '—'): string {
  return value === null || value === undefined ? fallback : `${decimal.format(value)}%`
}

/** The first 12 characters of a hash, enough to tell contents apart at a glance. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash
}
