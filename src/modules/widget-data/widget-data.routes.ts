import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Services } from '../../platform/services.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { savedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { SERIES_CACHE_TTL_SECONDS } from '../timeseries/series.cache.ts'
import { WidgetData, WidgetPreviewBody } from './widget-data.schema.ts'
import { inTransaction, runDataQueries } from './widget-data.service.ts'

export function widgetDataRoutes(services: Services): FastifyPluginAsyncTypebox {
  const savedQueries = savedQueryRunContext(services)
  return async (app) => {
    app.post('/orgs/:orgId/widgets/preview', {
      config: { auth: 'any', scope: 'read' },
      schema: {
        tags: ['dashboards'],
        summary: "A widget's data for a data query that is not saved yet (the widget editor's preview); errors the user can fix come back as the widget's error state",
        description: 'Metric and pipeline sources answer {status: ok, series}, with compare also comparison (a stat card\'s figure over the range and over the same length before it; none without from); a saved query (source query) answers {status: ok, table: {columns, rows, rowCount, truncated, asOf, cached}} run like POST …/queries/{id}/run (read-only, row limit, timeout, cache). A failing query (SQL error, timeout, wrong parameter) is {status: error, error: {code, message}}.',
        params: Type.Object({ orgId: Type.String() }),
        body: WidgetPreviewBody,
        response: { 200: WidgetData },
      },
    }, async (request) => {
      const ttlSeconds = await services.settings.integer('timeseries.cache_ttl_seconds', SERIES_CACHE_TTL_SECONDS)
      const { dataQuery, compare, ...range } = request.body
      const [data] = await withOrgActor(services, request, request.params.orgId, (trx, actor) => runDataQueries(inTransaction(trx), actor, [{ ...dataQuery, compare: compare === true }], { range, cacheTtlSeconds: ttlSeconds, savedQueries }))
      return data!
    })
  }
}
