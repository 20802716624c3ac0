import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Services } from '../../platform/services.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { SERIES_CACHE_TTL_SECONDS } from '../timeseries/series.cache.ts'
import { WidgetData, WidgetPreviewBody } from './widget-data.schema.ts'
import { runDataQueries } from './widget-data.service.ts'

export function widgetDataRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/orgs/:orgId/widgets/preview', {
      config: { auth: 'any', scope: 'read' },
      schema: {
        tags: ['dashboards'],
        summary: "A widget's data for a data query that is not saved yet (the widget editor's preview); errors the user can fix come back as the widget's error state",
        params: Type.Object({ orgId: Type.String() }),
        body: WidgetPreviewBody,
        response: { 200: WidgetData },
      },
    }, async (request) => {
      const ttlSeconds = await services.settings.integer('timeseries.cache_ttl_seconds', SERIES_CACHE_TTL_SECONDS)
      const { dataQuery, ...range } = request.body
      const [data] = await withOrgActor(services, request, request.params.orgId, (trx, actor) => runDataQueries(trx, actor, [dataQuery], range, ttlSeconds))
      return data!
    })
  }
}
