import type { Db, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { load, type ViewContext } from '../dashboards/dashboards.service.ts'
import { resolveRange } from '../dashboards/data-range.ts'
import { STATIC_TYPES, type DashboardDataQuery } from '../dashboards/widgets.schema.ts'
import { dashboardData, listWidgets } from '../dashboards/widgets.service.ts'
import { inTransaction } from '../widget-data/widget-data.service.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import type { SavedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { checkTimeZone } from '../timeseries/series.buckets.ts'
import * as repo from './dashboard-export.repository.ts'
import type { PdfDashboard } from './dashboard-pdf.ts'
import { answerTable, type ExportTable, type WidgetAnswer } from './export-table.ts'

/** Exports read through the dashboards module (its permissions, filters and data) and are logged as 'export' usage. */

const VIEW = 1

/** What reading a dashboard's data needs besides the transaction (see GET …/data). */
export interface DataContext {
  cacheTtlSeconds: number
  savedQueries: SavedQueryRunContext
}

async function logExport(db: Db, actor: OrgActor, dashboardId: string, view: ViewContext): Promise<void> {
  await repo.logExport(db, { organization_id: actor.orgId, dashboard_id: dashboardId, user_id: actor.userId, session_id: view.sessionId, ip_address: view.ip, user_agent: view.userAgent })
}

export interface WidgetExport {
  title: string
  tz: string
  table: ExportTable
}

/**
 * One widget's data as a table, from the same answer the dashboard shows (the view's range,
 * time zone and filters). Text and image widgets have none (400); a widget whose query fails
 * is refused with its error (422) rather than exported as an empty file.
 */
export async function widgetExport(db: Trx, actor: OrgActor, dashboardId: string, widgetId: string, query: DashboardDataQuery, context: DataContext, view: ViewContext): Promise<WidgetExport> {
  const tz = checkTimeZone(query.tz ?? 'UTC')
  const { widgets } = await listWidgets(db, actor, dashboardId)
  const widget = widgets.find((w) => w.id === widgetId.toLowerCase())
  if (!widget) throw notFound('widget')
  const noData = new AppError('widget_has_no_data', 400, `"${widget.title}" is a ${widget.type} widget: it shows no data to export`)
  if (STATIC_TYPES.includes(widget.type)) throw noData
  const data = await dashboardData(inTransaction(db), actor, dashboardId, resolveRange(query), context.cacheTtlSeconds, context.savedQueries)
  const answer: WidgetAnswer | undefined = data.widgets.find((w) => w.id === widget.id)
  if (answer?.status === 'error') {
    throw new AppError('widget_data_error', 422, `"${widget.title}" could not load its data, so there is nothing to export: ${answer.error.message}`, { details: { widgetError: answer.error } })
  }
  const table = answer ? answerTable(answer) : null
  if (!table) throw noData
  await logExport(db, actor, dashboardId, view)
  return { title: widget.title, tz, table }
}

function stringEntries(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
}

/**
 * Everything the PDF shows, read in the request's transaction: the dashboard, its widgets and
 * their data (one snapshot; GET …/data answers the same figures). Rendering happens after.
 */
export async function dashboardPdfModel(db: Trx, actor: OrgActor, dashboardId: string, query: DashboardDataQuery, context: DataContext, view: ViewContext): Promise<PdfDashboard> {
  const tz = checkTimeZone(query.tz ?? 'UTC')
  const dashboard = await load(db, actor, dashboardId, VIEW)
  const { widgets } = await listWidgets(db, actor, dashboardId)
  const data = await dashboardData(inTransaction(db), actor, dashboardId, resolveRange(query), context.cacheTtlSeconds, context.savedQueries)
  const answers = new Map<string, WidgetAnswer>(data.widgets.map((w) => [w.id, w]))
  await logExport(db, actor, dashboardId, view)
  return {
    name: dashboard.name,
    description: dashboard.description,
    from: data.from,
    to: data.to,
    asOf: data.asOf,
    tz,
    // dashboardData has refused malformed view filters (400) before this line.
    filters: query.filters === undefined ? stringEntries(dashboard.filters) : stringEntries(JSON.parse(query.filters)),
    widgets: widgets.map((widget) => ({ id: widget.id, type: widget.type, title: widget.title, position: widget.position, config: widget.config, answer: answers.get(widget.id) ?? { status: 'static' as const } })),
  }
}
