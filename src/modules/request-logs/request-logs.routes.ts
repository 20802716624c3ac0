import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { RequestLogPageResponse, RequestLogQuery } from './request-logs.schema.ts'
import { requestLogFilters, requestLogPage } from './request-logs.service.ts'

export function requestLogRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/request-logs', {
      schema: {
        tags: ['admin'],
        summary: 'Logged API requests, newest first (instance administrators)',
        description:
          'Every request under /api/ and /mcp except /api/health, written in batches (settings analytics.*), so the newest ' +
          'appear within analytics.flush_interval_ms. `status` is a class (2xx…5xx); `route` the path template. The window ' +
          '`from`–`to` defaults to the last 7 days. Page with `cursor` = the previous `nextCursor`.',
        querystring: RequestLogQuery,
        response: { 200: RequestLogPageResponse, 400: ErrorResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const filters = requestLogFilters(request.query)
      return withInstanceAdmin(services, request, (trx) => requestLogPage(trx, filters))
    })
  }
}
