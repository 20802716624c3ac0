import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { PipelineParams } from '../pipelines/pipelines.schema.ts'
import { HourlyQuery, HourlyResponse } from './pipeline-hourly.schema.ts'
import { hourlyData } from './pipeline-hourly.service.ts'

export function pipelineHourlyRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/pipelines/:pipelineId/data/hourly', {
      config: { auth: 'any', scope: 'read' },
      schema: {
        tags: ['pipelines'],
        summary: 'Records and stored bytes per hour of a pipeline (the hourly rollup; default: the last 24 hours)',
        params: PipelineParams,
        querystring: HourlyQuery,
        response: { 200: HourlyResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => hourlyData(trx, actor, request.params.pipelineId, request.query)))
  }
}
