import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { PipelineParams } from '../pipelines/pipelines.schema.ts'
import { PipelineSeriesQuerystring, pipelineSeries } from './pipeline-series.ts'
import { SERIES_CACHE_TTL_SECONDS } from './series.cache.ts'
import { MetricSeriesParams, SeriesQuerystring, SeriesResponse } from './series.schema.ts'
import { metricSeries } from './series.service.ts'

export function seriesRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/metrics/:metricId/series', {
      config: { auth: 'any', scope: 'read' },
      schema: {
        tags: ['metrics'],
        summary: "A metric's points aggregated by time bucket (rollups, raw, late and compressed storage combined; cached briefly)",
        params: MetricSeriesParams,
        querystring: SeriesQuerystring,
        response: { 200: SeriesResponse },
      },
    }, async (request) => {
      const ttlSeconds = await services.settings.integer('timeseries.cache_ttl_seconds', SERIES_CACHE_TTL_SECONDS)
      return withOrgActor(services, request, request.params.orgId, (trx, actor) => metricSeries(trx, actor, request.params.metricId, request.query, ttlSeconds))
    })

    app.get('/orgs/:orgId/pipelines/:pipelineId/series', {
      config: { auth: 'any', scope: 'read' },
      schema: {
        tags: ['pipelines'],
        summary: "A numeric field of a pipeline's stored records aggregated by time bucket of record_time (read raw)",
        params: PipelineParams,
        querystring: PipelineSeriesQuerystring,
        response: { 200: SeriesResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => pipelineSeries(trx, actor, request.params.pipelineId, request.query)))
  }
}
