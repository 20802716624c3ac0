import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { PerformanceMetricsQuery, PerformanceMetricsResponse } from './performance-metrics.schema.ts'
import { readPerformanceMetrics } from './performance-metrics.service.ts'

/** GET /admin/performance-metrics: what the Health page charts (instance administrators). */
export function performanceMetricsRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/performance-metrics', {
      schema: {
        tags: ['admin'],
        summary: 'Instance performance metrics: request latency, throughput, error rates, pool usage, job durations and ingest rates (instance administrators)',
        description:
          'Series aggregated every minute by the worker job telemetry:aggregate-performance into 1m, 5m, 15m, 1h, 1d and 1w buckets (UTC; weeks start Monday). ' +
          'Without `period` the period is picked from the range so a series has at most about 500 points. ' +
          '400 `invalid_time_range` when `from` is not before `to` or the range exceeds 400 days. Metric names: docs/performance-metrics.md.',
        querystring: PerformanceMetricsQuery,
        response: { 200: PerformanceMetricsResponse, 400: ErrorResponse, 403: ErrorResponse },
      },
    }, async (request) => withInstanceAdmin(services, request, (trx) => readPerformanceMetrics(trx, request.query)))
  }
}
