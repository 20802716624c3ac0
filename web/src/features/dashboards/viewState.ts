/**
 * The view of a dashboard lives in the address so a link reproduces it: `?range=24h` or
 * `?from=…&to=…`, `&live=1`, and one `f.<dimension>=<value>` per filter. Pure functions only.
 */

export interface RangePreset {
  value: string
  label: string
  ms: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export const RANGE_PRESETS: RangePreset[] = [
  { value: '15m', label: 'Last 15 minutes', ms: 15 * MINUTE },
  { value: '1h', label: 'Last hour', ms: HOUR },
  { value: '6h', label: 'Last 6 hours', ms: 6 * HOUR },
  { value: '24h', label: 'Last 24 hours', ms: DAY },
  { value: '7d', label: 'Last 7 days', ms: 7 * DAY },
  { value: '30d', label: 'Last 30 days', ms: 30 * DAY },
  { value: '90d', label: 'Last 90 days', ms: 90 * DAY },
]

export const DEFAULT_PRESET = '24h'

export type TimeRange = { kind: 'relative'; preset: string } | { kind: 'absolute'; from: string; to: string }

export interface ViewState {
  range: TimeRange
  live: boolean
  filters: Record<string, string>
}

const FILTER_PREFIX = 'f.'

export function presetOf(value: string | null | undefined): RangePreset | undefined {
  return RANGE_PRESETS.find((preset) => preset.value === value)
}

function validDate(value: string | null): value is string {
  return value !== null && value !== '' && !Number.isNaN(new Date(value).getTime())
}

/** Reads the view from the address; anything unknown or malformed falls back to the last 24 hours. */
export function parseViewState(params: URLSearchParams, fallbackPreset = DEFAULT_PRESET): ViewState {
  const filters: Record<string, string> = {}
  for (const [key, value] of params) {
    if (key.startsWith(FILTER_PREFIX) && key.length > FILTER_PREFIX.length && value !== '') {
      filters[key.slice(FILTER_PREFIX.length)] = value
    }
  }
  const from = params.get('from')
  const to = params.get('to')
  const live = params.get('live') === '1'
  if (!live && validDate(from) && validDate(to) && new Date(from) < new Date(to)) {
    return { range: { kind: 'absolute', from, to }, live, filters }
  }
  const preset = presetOf(params.get('range'))?.value ?? (presetOf(fallbackPreset)?.value ?? DEFAULT_PRESET)
  return { range: { kind: 'relative', preset }, live, filters }
}

/** Writes the view into a copy of `params`, keeping the other parameters (such as `edit`). */
export function writeViewState(params: URLSearchParams, state: ViewState): URLSearchParams {
  const next = new URLSearchParams()
  for (const [key, value] of params) {
    if (key === 'range' || key === 'from' || key === 'to' || key === 'live' || key.startsWith(FILTER_PREFIX)) continue
    next.append(key, value)
  }
  if (state.range.kind === 'relative') {
    next.set('range', state.range.preset)
  } else {
    next.set('from', state.range.from)
    next.set('to', state.range.to)
  }
  if (state.live) next.set('live', '1')
  for (const [key, value] of Object.entries(state.filters).sort(([a], [b]) => a.localeCompare(b))) {
    next.set(`${FILTER_PREFIX}${key}`, value)
  }
  return next
}

/** The instants a range covers at `now` (relative ranges end now). */
export function resolveRange(range: TimeRange, now: Date): { from: string; to: string } {
  if (range.kind === 'absolute') {
    return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() }
  }
  const ms = presetOf(range.preset)?.ms ?? DAY
  return { from: new Date(now.getTime() - ms).toISOString(), to: now.toISOString() }
}

export function rangeLabel(range: TimeRange): string {
  if (range.kind === 'relative') return presetOf(range.preset)?.label ?? 'Last 24 hours'
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  return `${format.format(new Date(range.from))} – ${format.format(new Date(range.to))}`
}

/** A filter added (value) or removed (undefined), as a new filters object. */
export function withFilter(filters: Record<string, string>, key: string, value: string | undefined): Record<string, string> {
  const next = { ...filters }
  if (value === undefined) {
    delete next[key]
  } else {
    next[key] = value
  }
  return next
}

/** `datetime-local` input value ("2026-12-04T10:30") from an ISO instant, in local time. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}
