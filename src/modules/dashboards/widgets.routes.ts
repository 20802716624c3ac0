import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requestContext } from '../../platform/auth.ts'
import { withContext } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { sharedLiveHub } from '../live/shared-hub.ts'
import { cachedOrgAccess, withOrgActor } from '../organizations/org-actor.ts'
import { savedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { SERIES_CACHE_TTL_SECONDS } from '../timeseries/series.cache.ts'
import type { TenantRunner } from '../widget-data/widget-data.service.ts'
import { DashboardParams } from './dashboards.schema.ts'
import { load, viewContext } from './dashboards.service.ts'
import { sharedDashboardDataCache } from './data-cache.ts'
import { resolveRange } from './data-range.ts'
import { CreateWidgetBody, DashboardData, DashboardDataQuery, LayoutBody, UpdateWidgetBody, WidgetList, WidgetParams, WidgetResponse } from './widgets.schema.ts'
import * as service from './widgets.service.ts'

const tags = ['dashboards']
const READ = { auth: 'any', scope: 'read' } as const

/** A dashboard's widgets (issue 5): add, change, remove, save the grid, and every widget's data. */
export function widgetRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const hub = sharedLiveHub(services)
    app.addHook('onClose', async () => hub.stop())
    const dataCache = sharedDashboardDataCache(services)
    const savedQueries = savedQueryRunContext(services)

    app.get('/orgs/:orgId/dashboards/:dashboardId/widgets', {
      config: READ,
      schema: { tags, summary: "A dashboard's widgets (view permission)", params: DashboardParams, response: { 200: WidgetList } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => service.listWidgets(trx, actor, request.params.dashboardId)))

    app.post('/orgs/:orgId/dashboards/:dashboardId/widgets', {
      schema: {
        tags,
        summary: 'Add a widget (edit permission)',
        description: 'position is a rectangle on the 12-column grid (x + w ≤ 12, 1 ≤ h ≤ 50). text widgets need config.markdown, image widgets config.url (http or https); charts, tables and stat cards need a dataQuery on a metric or pipeline of the organization, or a saved query ({source: query, queryId, params?}: params are checked against the parameters the query declares). Grouped metric and pipeline queries keep their top `limit` groups (default 10) and merge the rest into "other".',
        params: DashboardParams,
        body: CreateWidgetBody,
        response: { 201: WidgetResponse },
      },
    }, async (request, reply) =>
      reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.createWidget(trx, actor, request.params.dashboardId, request.body, viewContext(request)))))

    app.patch('/orgs/:orgId/dashboards/:dashboardId/widgets/:widgetId', {
      schema: { tags, summary: 'Change a widget (edit permission); the merged widget is validated as on create', params: WidgetParams, body: UpdateWidgetBody, response: { 200: WidgetResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => service.updateWidget(trx, actor, request.params.dashboardId, request.params.widgetId, request.body, viewContext(request))))

    app.delete('/orgs/:orgId/dashboards/:dashboardId/widgets/:widgetId', {
      schema: { tags, summary: 'Remove a widget (edit permission)', params: WidgetParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.deleteWidget(trx, actor, request.params.dashboardId, request.params.widgetId, viewContext(request)))
      return reply.code(204).send(null)
    })

    app.put('/orgs/:orgId/dashboards/:dashboardId/layout', {
      schema: {
        tags,
        summary: "Save the grid: every listed widget's position at once, all or nothing (edit permission)",
        description: 'Widgets not listed keep their positions. One invalid item (unknown widget, off the grid) refuses the whole save with 400.',
        params: DashboardParams,
        body: LayoutBody,
        response: { 200: WidgetList },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => service.saveLayout(trx, actor, request.params.dashboardId, request.body, viewContext(request))))

    app.get('/orgs/:orgId/dashboards/:dashboardId/data', {
      config: READ,
      schema: {
        tags,
        summary: "Every widget's data (view permission); the range defaults to the last 24 hours",
        description: "Data widgets come back with status ok and their series (stat cards also with comparison: their figure over the range and over the same length just before it), or status error and the reason (a deleted metric, a bad range); text and image widgets with status static. Saved-query widgets come back with status ok and a table (columns, rows, rowCount, truncated, asOf, cached); a failing query is that widget's error state. The dashboard's saved filters (or the view's filters) apply to metric widgets that do not filter on the same dimension, set a saved-query widget's parameter of the same name (unless the widget pins it) or filter its rows by a column of the same name.",
        params: DashboardParams,
        querystring: DashboardDataQuery,
        response: { 200: DashboardData },
      },
    }, async (request, reply) => {
      const ttlSeconds = await services.settings.integer('timeseries.cache_ttl_seconds', SERIES_CACHE_TTL_SECONDS)
      const query = resolveRange(request.query)
      // Access is checked per viewer (and reused for a few seconds, until a membership, permission
      // or dashboard change); the answer is shared by everyone looking at the same view.
      const { actor, value: dashboard } = await cachedOrgAccess(services, request, request.params.orgId, `dashboard-view:${request.params.dashboardId}`, async (trx, actor) => {
        const row = await load(trx, actor, request.params.dashboardId, 1 /* view */)
        return { id: row.id, updated_at: row.updated_at }
      })
      const { from, to, tz, filters, range } = request.query
      const key = JSON.stringify([dashboard.id, dashboard.updated_at.toISOString(), range ?? [from, to], tz, filters])
      // Computed after the access check's transaction has ended, in transactions of its own (one
      // per widget, several at once): a request never holds one connection while waiting for others.
      const context = { ...requestContext(request), orgId: actor.orgId }
      const run: TenantRunner = (fn) => withContext(services.db, context, fn)
      const json = await dataCache.answerJson(actor.orgId, key, to === undefined, () => service.dashboardData(run, actor, dashboard.id, query, ttlSeconds, savedQueries))
      // Already the JSON bytes of a DashboardData (serialized once per shared answer): Fastify
      // sends a Buffer as it is, without serializing or encoding it again.
      return reply.type('application/json; charset=utf-8').send(json as unknown as DashboardData)
    })
  }
}
