/**
 * What changed between two saved states of a dashboard, and the one-line summary a version
 * gets when the client gives none. Pure functions over snapshots: no database, no clock.
 */

export interface GridPosition {
  x: number
  y: number
  w: number
  h: number
}

export interface WidgetSnapshot {
  id: string
  type: string
  title: string
  description: string | null
  position: GridPosition
  config: Record<string, unknown>
  dataQuery: Record<string, unknown> | null
  cacheDuration: number
}

export interface SettingsSnapshot {
  name: string
  description: string | null
  tags: string[]
  theme: unknown
  filters: unknown
  refreshInterval: number
  layout: unknown
}

/** A dashboard as one version saved it (app.dashboard_versions.snapshot). */
export interface Snapshot {
  settings: SettingsSnapshot
  widgets: WidgetSnapshot[]
}

export interface VersionDiff {
  settings: Array<{ field: string; from: unknown; to: unknown }>
  widgetsAdded: Array<{ id: string; title: string; type: string }>
  widgetsRemoved: Array<{ id: string; title: string; type: string }>
  widgetsChanged: Array<{ id: string; title: string; fields: string[] }>
  layoutMoves: Array<{ id: string; title: string; from: GridPosition; to: GridPosition }>
}

export const SETTING_FIELDS = ['name', 'description', 'tags', 'theme', 'filters', 'refreshInterval', 'layout'] as const
/** Widget fields compared for "changed"; the position is a layout move instead. */
export const WIDGET_FIELDS = ['type', 'title', 'description', 'config', 'dataQuery', 'cacheDuration'] as const

/** JSON with object keys sorted: PostgreSQL's jsonb does not keep key order, so equal values must compare equal whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

/**
 * From `before` to `after`; `before` null (the first version) means everything was added and
 * every setting was set. Widgets are matched by id; lists keep the order of `after` (removed
 * ones the order of `before`).
 */
export function diffSnapshots(before: Snapshot | null, after: Snapshot): VersionDiff {
  const settings = SETTING_FIELDS.flatMap((field) => {
    const from = before ? before.settings[field] : null
    const to = after.settings[field]
    return before && sameValue(from, to) ? [] : [{ field, from: from ?? null, to: to ?? null }]
  })
  const old = new Map((before?.widgets ?? []).map((w) => [w.id, w]))
  const kept = new Set(after.widgets.map((w) => w.id))
  const diff: VersionDiff = {
    settings,
    widgetsAdded: [],
    widgetsRemoved: (before?.widgets ?? []).filter((w) => !kept.has(w.id)).map((w) => ({ id: w.id, title: w.title, type: w.type })),
    widgetsChanged: [],
    layoutMoves: [],
  }
  for (const widget of after.widgets) {
    const previous = old.get(widget.id)
    if (!previous) {
      diff.widgetsAdded.push({ id: widget.id, title: widget.title, type: widget.type })
      continue
    }
    const fields = WIDGET_FIELDS.filter((field) => !sameValue(previous[field], widget[field]))
    if (fields.length > 0) {
      diff.widgetsChanged.push({ id: widget.id, title: widget.title, fields })
    }
    if (!sameValue(previous.position, widget.position)) {
      diff.layoutMoves.push({ id: widget.id, title: widget.title, from: previous.position, to: widget.position })
    }
  }
  return diff
}

const FIELD_LABELS: Record<string, string> = {
  description: 'description',
  tags: 'tags',
  theme: 'theme',
  filters: 'filters',
  refreshInterval: 'refresh interval',
  layout: 'grid',
  type: 'type',
  title: 'title',
  config: 'options',
  dataQuery: 'data query',
  cacheDuration: 'cache duration',
}

const label = (field: string) => FIELD_LABELS[field] ?? field
const quoted = (title: string) => `“${title}”`
/** Past this many widgets in one part, the summary counts them instead of naming each. */
const NAMED_AT_MOST = 3
export const MAX_SUMMARY = 2000

function widgetPart(verb: string, titles: string[]): string[] {
  if (titles.length === 0) return []
  if (titles.length > NAMED_AT_MOST) return [`${verb} ${titles.length} widgets`]
  return titles.map((title) => `${verb} widget ${quoted(title)}`)
}

/**
 * A readable one-line summary of a diff, parts joined with "; ", e.g.
 * `Renamed to “Sales”; Added widget “Revenue”; Changed widget “Orders” (title, data query); Moved 3 widgets`.
 */
export function summarize(diff: VersionDiff): string {
  const parts: string[] = []
  const rename = diff.settings.find((s) => s.field === 'name')
  if (rename) parts.push(`Renamed to ${quoted(String(rename.to))}`)
  const otherSettings = diff.settings.filter((s) => s.field !== 'name').map((s) => label(s.field))
  if (otherSettings.length > 0) parts.push(`Changed ${otherSettings.join(', ')}`)
  parts.push(...widgetPart('Added', diff.widgetsAdded.map((w) => w.title)))
  parts.push(...widgetPart('Removed', diff.widgetsRemoved.map((w) => w.title)))
  if (diff.widgetsChanged.length > NAMED_AT_MOST) {
    parts.push(`Changed ${diff.widgetsChanged.length} widgets`)
  } else {
    parts.push(...diff.widgetsChanged.map((w) => `Changed widget ${quoted(w.title)} (${w.fields.map(label).join(', ')})`))
  }
  if (diff.layoutMoves.length === 1) parts.push(`Moved widget ${quoted(diff.layoutMoves[0]!.title)}`)
  else if (diff.layoutMoves.length > 1) parts.push(`Moved ${diff.layoutMoves.length} widgets`)
  const text = parts.length > 0 ? parts.join('; ') : 'No changes'
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text
}
