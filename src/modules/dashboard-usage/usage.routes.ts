import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { DashboardParams } from '../dashboards/dashboards.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { UsageQuery, UsageResponse } from './usage.schema.ts'
import { dashboardUsage } from './usage.service.ts'

export function dashboardUsageRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/dashboards/:dashboardId/usage', {
      config: { auth: 'any', scope: 'read' },
      schema: {
        tags: ['dashboards'],
        summary: "A dashboard's usage (edit permission): views per day, viewers, edits, shares and exports",
        params: DashboardParams,
        querystring: UsageQuery,
        response: { 200: UsageResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => dashboardUsage(trx, actor, request.params.dashboardId, request.query)))
  }
}
