import type { Updateable } from 'kysely'
import type { AppWidgets } from '../../platform/db.generated.ts'
import type { Db, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { recordVersion } from '../dashboard-versions/dashboard-versions.record.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import type { DataQuery } from '../widget-data/widget-data.schema.ts'
import type { SavedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { queryWidgetErrors } from '../widget-data/query-widget.ts'
import { runDataQueries, type TenantRunner } from '../widget-data/widget-data.service.ts'
import * as dashboardsRepo from './dashboards.repository.ts'
import { load, type ViewContext } from './dashboards.service.ts'
import * as repo from './widgets.repository.ts'
import type { WidgetRow } from './widgets.repository.ts'
import {
  GRID_COLUMNS,
  MAX_MARKDOWN,
  MAX_URL,
  STATIC_TYPES,
  type CreateWidgetBody,
  type DashboardData,
  type DashboardDataQuery,
  type LayoutBody,
  type Position,
  type UpdateWidgetBody,
  type WidgetResponse,
  type WidgetType,
} from './widgets.schema.ts'

/** The time range of the data endpoint when the request names none. */
export const DEFAULT_RANGE_MS = 24 * 3_600_000

const VIEW = 1
/**
 * Widgets of one dashboard answered at once. Each holds a pooled connection while its queries
 * run; four keep a 2-core database busy without letting one dashboard take a default pool of 10.
 */
export const DATA_CONCURRENCY = 4
const EDIT = 2

interface FieldError {
  field: string
  message: string
}

const invalid = (details: FieldError[]) =>
  new AppError('validation_failed', 400, details.map((d) => `${d.field} ${d.message}`).join('; '), { details })

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A stored data_query of '{}' (the column default) means "none". */
function storedQuery(row: WidgetRow): DataQuery | null {
  return isObject(row.data_query) && typeof row.data_query.source === 'string' ? (row.data_query as unknown as DataQuery) : null
}

export function toWidgetResponse(row: WidgetRow): WidgetResponse {
  return {
    id: row.id,
    dashboardId: row.dashboard_id,
    type: row.widget_type as WidgetType,
    title: row.title,
    description: row.description,
    position: row.position as Position,
    config: isObject(row.config) ? row.config : {},
    dataQuery: storedQuery(row),
    cacheDuration: row.cache_duration,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

function positionErrors(position: Position, field: string): FieldError[] {
  // The schema bounds each number; the rectangle must also fit in the 12 columns.
  return position.x + position.w > GRID_COLUMNS ? [{ field, message: `must fit in ${GRID_COLUMNS} columns (x + w ≤ ${GRID_COLUMNS})` }] : []
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

export interface WidgetShape {
  type: WidgetType
  position: Position
  config: Record<string, unknown>
  dataQuery: DataQuery | null
}

/** The rules of a whole widget (after a create or a merged patch), with field-level details. */
export async function validateWidget(db: Db, orgId: string, widget: WidgetShape): Promise<void> {
  const errors = positionErrors(widget.position, 'position')
  if (widget.type === 'text') {
    const markdown = widget.config.markdown
    if (typeof markdown !== 'string') errors.push({ field: 'config/markdown', message: 'is required for a text widget (a string)' })
    else if (markdown.length > MAX_MARKDOWN) errors.push({ field: 'config/markdown', message: `must be at most ${MAX_MARKDOWN} characters` })
  }
  if (widget.type === 'image') {
    const url = widget.config.url
    if (typeof url !== 'string' || url.length > MAX_URL || !isHttpUrl(url)) {
      errors.push({ field: 'config/url', message: `must be an http or https URL of at most ${MAX_URL} characters` })
    }
  }
  if (STATIC_TYPES.includes(widget.type)) {
    if (widget.dataQuery) errors.push({ field: 'dataQuery', message: `must be null for a ${widget.type} widget` })
  } else if (!widget.dataQuery) {
    errors.push({ field: 'dataQuery', message: `is required for a ${widget.type} widget` })
  } else if (widget.dataQuery.source === 'metric') {
    if (!(await repo.metricExists(db, orgId, widget.dataQuery.metricId))) errors.push({ field: 'dataQuery/metricId', message: 'is not a metric of this organization' })
  } else if (widget.dataQuery.source === 'query') {
    errors.push(...(await queryWidgetErrors(db, orgId, widget.dataQuery)))
  } else if (!(await repo.pipelineExists(db, orgId, widget.dataQuery.pipelineId))) {
    errors.push({ field: 'dataQuery/pipelineId', message: 'is not a pipeline of this organization' })
  }
  if (errors.length > 0) {
    throw invalid(errors)
  }
}

async function changed(db: Db, actor: OrgActor, dashboardId: string, view: ViewContext): Promise<void> {
  await repo.touchDashboard(db, actor.orgId, dashboardId)
  await dashboardsRepo.logUsage(db, { organization_id: actor.orgId, dashboard_id: dashboardId, user_id: actor.userId, action: 'edit', session_id: view.sessionId, ip_address: view.ip, user_agent: view.userAgent })
  // Every save is a version; its summary is written from the difference to the previous one.
  await recordVersion(db, actor, dashboardId)
}

export async function listWidgets(db: Db, actor: OrgActor, dashboardId: string): Promise<{ widgets: WidgetResponse[] }> {
  await load(db, actor, dashboardId, VIEW)
  return { widgets: (await repo.listWidgets(db, actor.orgId, dashboardId)).map(toWidgetResponse) }
}

export async function createWidget(db: Db, actor: OrgActor, dashboardId: string, body: CreateWidgetBody, view: ViewContext): Promise<WidgetResponse> {
  await load(db, actor, dashboardId, EDIT)
  const title = body.title.trim()
  if (!title) throw invalid([{ field: 'title', message: 'must not be blank' }])
  const shape: WidgetShape = { type: body.type, position: body.position, config: body.config ?? {}, dataQuery: body.dataQuery ?? null }
  await validateWidget(db, actor.orgId, shape)
  const row = await repo.insertWidget(db, {
    organization_id: actor.orgId,
    dashboard_id: dashboardId,
    widget_type: shape.type,
    title,
    description: body.description ?? null,
    position: JSON.stringify(shape.position),
    config: JSON.stringify(shape.config),
    data_query: JSON.stringify(shape.dataQuery ?? {}),
    ...(body.cacheDuration === undefined ? {} : { cache_duration: body.cacheDuration }),
  })
  await changed(db, actor, dashboardId, view)
  return toWidgetResponse(row)
}

export async function updateWidget(db: Db, actor: OrgActor, dashboardId: string, widgetId: string, body: UpdateWidgetBody, view: ViewContext): Promise<WidgetResponse> {
  await load(db, actor, dashboardId, EDIT)
  const row = await repo.findWidget(db, actor.orgId, dashboardId, widgetId)
  if (!row) throw notFound('widget')
  const current = toWidgetResponse(row)
  const shape: WidgetShape = {
    type: body.type ?? current.type,
    position: body.position ?? current.position,
    config: body.config ?? current.config,
    dataQuery: body.dataQuery === undefined ? (current.dataQuery as DataQuery | null) : body.dataQuery,
  }
  await validateWidget(db, actor.orgId, shape)
  const values: Updateable<AppWidgets> = {
    widget_type: shape.type,
    position: JSON.stringify(shape.position),
    config: JSON.stringify(shape.config),
    data_query: JSON.stringify(shape.dataQuery ?? {}),
  }
  if (body.title !== undefined) {
    const title = body.title.trim()
    if (!title) throw invalid([{ field: 'title', message: 'must not be blank' }])
    values.title = title
  }
  if (body.description !== undefined) values.description = body.description
  if (body.cacheDuration !== undefined) values.cache_duration = body.cacheDuration
  const updated = await repo.updateWidget(db, actor.orgId, widgetId, values)
  await changed(db, actor, dashboardId, view)
  return toWidgetResponse(updated!)
}

export async function deleteWidget(db: Db, actor: OrgActor, dashboardId: string, widgetId: string, view: ViewContext): Promise<void> {
  await load(db, actor, dashboardId, EDIT)
  if (!(await repo.deleteWidget(db, actor.orgId, dashboardId, widgetId))) throw notFound('widget')
  await changed(db, actor, dashboardId, view)
}

/**
 * Saves a grid in one go (the editor's save): every item is checked before anything moves, and
 * the route's transaction makes it all or nothing. Widgets not listed keep their positions.
 */
export async function saveLayout(db: Db, actor: OrgActor, dashboardId: string, body: LayoutBody, view: ViewContext): Promise<{ widgets: WidgetResponse[] }> {
  await load(db, actor, dashboardId, EDIT)
  const widgets = new Set((await repo.listWidgets(db, actor.orgId, dashboardId)).map((w) => w.id))
  const seen = new Set<string>()
  const errors: FieldError[] = []
  body.items.forEach((item, index) => {
    const id = item.widgetId.toLowerCase()
    if (!widgets.has(id)) errors.push({ field: `items/${index}/widgetId`, message: 'is not a widget of this dashboard' })
    else if (seen.has(id)) errors.push({ field: `items/${index}/widgetId`, message: 'is listed twice' })
    seen.add(id)
    errors.push(...positionErrors(item, `items/${index}`))
  })
  if (errors.length > 0) {
    throw invalid(errors)
  }
  for (const item of body.items) {
    await repo.updateWidget(db, actor.orgId, item.widgetId.toLowerCase(), { position: JSON.stringify({ x: item.x, y: item.y, w: item.w, h: item.h }) })
  }
  if (body.items.length > 0) await changed(db, actor, dashboardId, view)
  return { widgets: (await repo.listWidgets(db, actor.orgId, dashboardId)).map(toWidgetResponse) }
}

/** Filter values a metric query can take: dimension → string (the series engine's filters). */
function dimensionFilters(filters: unknown): Record<string, string> {
  if (!isObject(filters)) return {}
  return Object.fromEntries(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0].length >= 1 && e[0].length <= 100 && e[1].length <= 500))
}

/** The view's own filters (the data endpoint's filters parameter): a JSON object of strings. */
function viewFilters(text: string): Record<string, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new AppError('invalid_filters', 400, 'filters must be a JSON object of dimension → value, e.g. {"region":"eu"}')
  }
  if (!isObject(parsed) || Object.values(parsed).some((value) => typeof value !== 'string')) {
    throw new AppError('invalid_filters', 400, 'filters must be a JSON object whose values are strings, e.g. {"region":"eu"}')
  }
  return dimensionFilters(parsed)
}

/**
 * Every data widget of the dashboard. `run` opens the tenant transactions the work runs in:
 * inTransaction(trx) answers everything in the caller's transaction (one snapshot); a runner
 * opening a transaction per call lets DATA_CONCURRENCY widgets be answered at once (each
 * answer says how fresh it is).
 *
 * Dashboard filters (app.dashboards.filters, e.g. {"region": "eu"}) reach every widget that
 * has that field (widget-data.service.ts): a metric widget filters its points on each
 * dimension it does not filter itself (its own filter wins, so a widget pinned to one region
 * keeps showing it); a saved-query widget takes a filter named like one of its parameters as
 * that parameter's value (unless the widget pins it) and one named like a result column as a
 * row filter. Pipeline widgets have no dimension filters in the series engine and are left as
 * they are. Other filter values (lists, ranges) are not applied here yet. A view's own filters
 * (the request's filters parameter, from the URL or a cross-filter click) replace the saved ones.
 */
export async function dashboardData(run: TenantRunner, actor: OrgActor, dashboardId: string, query: DashboardDataQuery, cacheTtlSeconds: number, savedQueries: SavedQueryRunContext): Promise<DashboardData> {
  const { dashboard, rows } = await run(async (db) => ({ dashboard: await load(db, actor, dashboardId, VIEW), rows: await repo.listWidgets(db, actor.orgId, dashboardId) }))
  const asOf = new Date()
  const to = query.to ?? asOf.toISOString()
  const from = query.from ?? new Date(Date.parse(to) - DEFAULT_RANGE_MS).toISOString()
  const range = { from, to, ...(query.tz === undefined ? {} : { tz: query.tz }) }
  const filters = query.filters === undefined ? dimensionFilters(dashboard.filters) : viewFilters(query.filters)
  const withQuery = rows.flatMap((row) => {
    const dataQuery = storedQuery(row)
    // A stat card shows its figure against the period before the range (comparison).
    return dataQuery ? [{ id: row.id, query: { ...dataQuery, compare: row.widget_type === 'stat_card' } }] : []
  })
  const answers = await runDataQueries(run, actor, withQuery.map((w) => w.query), { range, cacheTtlSeconds, savedQueries, filters, concurrency: DATA_CONCURRENCY })
  const byId = new Map(withQuery.map((w, i) => [w.id, answers[i]!]))
  return {
    asOf: asOf.toISOString(),
    from,
    to,
    widgets: rows.map((row) => {
      const answer = byId.get(row.id)
      return answer ? { id: row.id, ...answer } : { id: row.id, status: 'static' as const }
    }),
  }
}
