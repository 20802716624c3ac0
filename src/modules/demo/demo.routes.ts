import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext, requireUserId } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { loadDemo } from './demo.loader.ts'
import { DEFAULT_DAYS, DemoBody, DemoResponse } from './demo.schema.ts'

/**
 * POST /api/v1/demo: a new "Acme Demo" organization owned by the signed-in caller, loaded
 * with generated data and a dashboard per data set. A session only (CSRF-checked like every
 * session POST): an API key is bound to one organization and cannot create another.
 */
export function demoRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/demo', {
      schema: {
        tags: ['demo'],
        summary: 'Load the demo: a new organization "Acme Demo" with 30 days of generated data and four dashboards',
        description:
          'Creates an organization (slug acme-demo, acme-demo-2, … whichever is free) owned by the caller and pushes generated data through ' +
          'the ingest and metric points paths: product metrics with KPIs, three pipelines with their throughput and storage, workflow runs ' +
          'and service orders, each with a prebuilt dashboard. Every call creates a new organization. Takes a few seconds at the default size.',
        body: DemoBody,
        response: { 201: DemoResponse, 409: ErrorResponse },
      },
    }, async (request, reply) => {
      const userId = requireUserId(request)
      const days = request.body?.days ?? DEFAULT_DAYS
      const result = await loadDemo(services, userId, requestContext(request), { days, scale: 1 })
      request.log.info({ organizationId: result.organizationId, durationMs: result.durationMs, ...result.counts }, 'demo loaded')
      return reply.code(201).send(result)
    })
  }
}
