import type { DashboardRow } from '../dashboards/dashboards.repository.ts'
import type { WidgetResponse } from '../dashboards/widgets.schema.ts'
import type { PublicComparison, PublicDashboard, PublicDashboardData, PublicDisplay, PublicWidget, PublicWidgetData, SharedRange } from './sharing.schema.ts'

/**
 * Builds what an anonymous viewer receives from what the owner stored, copying only listed
 * fields with the expected type. Anything unlisted (ids, queries, sources, owners, tokens,
 * cache settings) never leaves: the builders read named fields, they never spread a row.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const COLOUR = /^#[0-9A-Fa-f]{6}$/
const DEFAULT_RANGE: SharedRange = { relative: '24h' }
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
/** The longest range the series engine answers (five years). */
const MAX_RANGE_MS = 5 * 366 * 86_400_000

const text = (value: unknown, max: number) => (typeof value === 'string' && value.length <= max ? value : undefined)
const bool = (value: unknown) => (typeof value === 'boolean' ? value : undefined)
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)
const int = (value: unknown, min: number, max: number) => (Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? (value as number) : undefined)
const colour = (value: unknown) => (typeof value === 'string' && COLOUR.test(value) ? value : undefined)

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2_048) return undefined
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? value : undefined
  } catch {
    return undefined
  }
}

function list<T>(value: unknown, max: number, item: (v: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value) || value.length > max) return undefined
  const items = value.map(item)
  return items.every((v) => v !== undefined) ? (items as T[]) : undefined
}

function thresholdsOf(value: unknown): PublicDisplay['thresholds'] {
  if (!isObject(value)) return undefined
  const direction = value.direction === 'above' || value.direction === 'below' ? value.direction : undefined
  const limits = { warning: num(value.warning), critical: num(value.critical), direction }
  const kept = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined))
  return Object.keys(kept).length > 0 ? kept : undefined
}

/**
 * The presentation options of a widget's config, each only when it has the expected type, and
 * the dimension its data is grouped by (so public viewers can cross-filter when allowed).
 */
export function displayOf(type: string, config: Record<string, unknown>, dataQuery: unknown = null): PublicDisplay {
  const display: Record<string, unknown> = {
    unit: text(config.unit, 32),
    decimals: int(config.decimals, 0, 10),
    stacked: bool(config.stacked),
    donut: bool(config.donut),
    colors: list(config.colors, 20, colour),
    thresholds: thresholdsOf(config.thresholds),
    groupBy: isObject(dataQuery) && dataQuery.source !== 'query' ? text(dataQuery.groupBy, 200) : undefined,
    target: num(config.target),
    warning: num(config.warning),
    critical: num(config.critical),
    sparkline: bool(config.sparkline),
    showChange: bool(config.showChange),
    showLegend: bool(config.showLegend),
    pageSize: int(config.pageSize, 1, 1_000),
    xColumn: text(config.xColumn, 100),
    yColumns: list(config.yColumns, 20, (c) => text(c, 100)),
    markdown: type === 'text' ? text(config.markdown, 20_000) : undefined,
    url: type === 'image' ? httpUrl(config.url) : undefined,
    alt: type === 'image' ? text(config.alt, 500) : undefined,
  }
  return Object.fromEntries(Object.entries(display).filter(([, v]) => v !== undefined)) as PublicDisplay
}

/** Grid order (top to bottom, left to right); the id only breaks ties so keys are stable. */
export function inGridOrder(widgets: WidgetResponse[]): WidgetResponse[] {
  return [...widgets].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Opaque keys per payload: widget id → w1, w2, … in grid order. */
export function widgetKeys(widgets: WidgetResponse[]): Map<string, string> {
  return new Map(inGridOrder(widgets).map((w, i) => [w.id, `w${i + 1}`]))
}

/** The dimension filters of a stored filters object: string values only (as the data endpoint applies them). */
export function stringFilters(filters: unknown): Record<string, string> {
  if (!isObject(filters)) return {}
  return Object.fromEntries(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0].length >= 1 && e[0].length <= 100 && e[1].length <= 500))
}

/**
 * The time range the owner saved with the dashboard: layout.range, either {relative: "24h"}
 * (minutes m, hours h, days d, weeks w up to now) or {from, to}. Without one, the last 24 hours.
 */
export function savedRange(layout: unknown): SharedRange {
  const range = isObject(layout) ? layout.range : undefined
  if (!isObject(range)) return DEFAULT_RANGE
  if (typeof range.relative === 'string' && /^[0-9]{1,4}[mhdw]$/.test(range.relative)) {
    const ms = Number(range.relative.slice(0, -1)) * UNIT_MS[range.relative.slice(-1)]!
    return ms > 0 && ms <= MAX_RANGE_MS ? { relative: range.relative } : DEFAULT_RANGE
  }
  if (typeof range.from === 'string' && typeof range.to === 'string' && Date.parse(range.from) < Date.parse(range.to)) {
    return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() }
  }
  return DEFAULT_RANGE
}

/** A range as the instants the data endpoint takes. */
export function resolveRange(range: SharedRange, now = new Date()): { from: string; to: string } {
  if ('relative' in range) {
    const ms = Number(range.relative.slice(0, -1)) * UNIT_MS[range.relative.slice(-1)]!
    return { from: new Date(now.getTime() - ms).toISOString(), to: now.toISOString() }
  }
  return range
}

export interface ShareAccess {
  allowViewerChanges: boolean
  locks: { range: boolean; filters: boolean }
  range: SharedRange
  filters: Record<string, string>
}

export function toPublicDashboard(dashboard: DashboardRow, widgets: WidgetResponse[], access: ShareAccess): PublicDashboard {
  const theme = isObject(dashboard.theme) ? dashboard.theme : {}
  const primary = colour(theme.primary)
  const secondary = colour(theme.secondary)
  const keys = widgetKeys(widgets)
  return {
    name: dashboard.name,
    description: dashboard.description,
    theme: { ...(primary && { primary }), ...(secondary && { secondary }) },
    refreshInterval: dashboard.refresh_interval,
    allowViewerChanges: access.allowViewerChanges,
    locks: { range: access.locks.range, filters: access.locks.filters },
    range: 'relative' in access.range ? { relative: access.range.relative } : { from: access.range.from, to: access.range.to },
    filters: { ...access.filters },
    widgets: inGridOrder(widgets).map(
      (w): PublicWidget => ({
        key: keys.get(w.id)!,
        type: w.type,
        title: w.title,
        description: w.description,
        position: { x: w.position.x, y: w.position.y, w: w.position.w, h: w.position.h },
        display: displayOf(w.type, w.config, w.dataQuery),
      }),
    ),
  }
}

/** Error codes whose own message helps a viewer (they concern what the viewer asked for). */
const VIEWER_ERRORS = new Set(['invalid_time_range', 'invalid_time_zone', 'invalid_filters', 'validation_failed'])
const GENERIC_WIDGET_ERROR = 'This widget has no data to show right now'

export function publicWidgetError(error: { code: string; message: string }): { code: string; message: string } {
  return { code: error.code, message: VIEWER_ERRORS.has(error.code) ? error.message : GENERIC_WIDGET_ERROR }
}

type Item = Record<string, unknown>

const nullableNumber = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/** A stat card's comparison, field by field; none unless every instant is there. */
function publicComparison(value: unknown): PublicComparison | undefined {
  if (!isObject(value)) return undefined
  const { from, to, previousFrom, previousTo } = value
  if (typeof from !== 'string' || typeof to !== 'string' || typeof previousFrom !== 'string' || typeof previousTo !== 'string') return undefined
  return { value: nullableNumber(value.value), previous: nullableNumber(value.previous), from, to, previousFrom, previousTo }
}

function publicItem(key: string, item: Item): PublicWidgetData {
  if (item.status === 'ok' && isObject(item.series)) {
    const s = item.series
    const points = Array.isArray(s.points) ? (s.points as Item[]) : []
    const comparison = publicComparison(item.comparison)
    return {
      key,
      status: 'ok',
      series: {
        bucket: String(s.bucket),
        agg: String(s.agg),
        asOf: String(s.asOf),
        points: points.map((p) => ({
          t: String(p.t),
          value: (p.value as number | null) ?? null,
          count: Number(p.count),
          min: (p.min as number | null) ?? null,
          max: (p.max as number | null) ?? null,
          ...(p.group !== undefined && { group: (p.group as string | null) ?? null }),
        })),
      },
      ...(comparison && { comparison }),
    }
  }
  if (item.status === 'ok' && isObject(item.table)) {
    const t = item.table
    const columns = Array.isArray(t.columns) ? (t.columns as Item[]) : []
    return {
      key,
      status: 'ok',
      table: {
        columns: columns.map((c) => ({ name: String(c.name), type: String(c.type) })),
        rows: Array.isArray(t.rows) ? (t.rows as Record<string, unknown>[]) : [],
        rowCount: Number(t.rowCount),
        truncated: t.truncated === true,
        asOf: String(t.asOf),
      },
    }
  }
  if (item.status === 'error' && isObject(item.error)) {
    return { key, status: 'error', error: publicWidgetError({ code: String(item.error.code), message: String(item.error.message) }) }
  }
  return { key, status: 'static' }
}

/** The data endpoint's answer with widget ids replaced by the payload's keys. */
export function toPublicData(data: { asOf: string; from: string; to: string; widgets: ReadonlyArray<object> }, keys: Map<string, string>): PublicDashboardData {
  const widgets = (data.widgets as Item[])
    .filter((item) => keys.has(String(item.id)))
    .map((item) => publicItem(keys.get(String(item.id))!, item))
    .sort((a, b) => Number(a.key.slice(1)) - Number(b.key.slice(1)))
  return { asOf: data.asOf, from: data.from, to: data.to, widgets }
}
