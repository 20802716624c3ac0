import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { withOrg } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { registerBatchParsers, requireBatch } from '../ingest/ingest.body.ts'
import { INGEST_ROLES } from '../ingest/ingest.routes.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { MetricParams, PointsHeaders, PointsQuery, PointsResponse } from './metrics.schema.ts'
import { pushPoints } from './points.service.ts'

const tags = ['metrics']
const RULES =
  'Body: a JSON array (`application/json`) or one point per line (`application/x-ndjson`), optionally `Content-Encoding: gzip`, within ' +
  'ingest.max_batch_records and ingest.max_batch_bytes (else 413). The answer comes after the batch is committed. Valid points are stored and ' +
  'invalid ones listed in `errors` (invalid_timestamp, invalid_value, value_out_of_range — values are numeric(15,4) —, timestamp_out_of_range ' +
  'for points past the newest partition); with `atomic=true` any invalid point stores nothing (422). Points older than the oldest raw partition ' +
  'are stored as late points (`late`). `Idempotency-Key`: a replay answers the same and stores nothing; the same key with another body 422 ' +
  'idempotency_key_reused; while the first is in flight 409 idempotency_key_in_flight. An API key needs the ingest scope.'

/**
 * The metric points push API. Its own plugin: the batch body parsers (JSON array or NDJSON,
 * gzip, size limits) replace Fastify's for these routes only, as for the ingest API.
 */
export function pointRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    registerBatchParsers(app, services, 'array')

    app.post('/orgs/:orgId/metrics/:metricId/points', {
      config: { auth: 'any', scope: 'ingest' },
      schema: {
        tags,
        summary: 'Push points to a metric: [{timestamp, value, dimensions?}] (API key with the ingest scope, or a session)',
        description: `${RULES} An inactive metric answers 409 metric_inactive.`,
        params: MetricParams,
        querystring: PointsQuery,
        headers: PointsHeaders,
        response: { 200: PointsResponse },
      },
    }, async (request, reply) => {
      const batch = requireBatch(request.body)
      const result = await withOrg(services, request, request.params.orgId, (trx) =>
        pushPoints(trx, request.params.orgId.toLowerCase(), {
          metricId: request.params.metricId.toLowerCase(),
          records: batch.records,
          bodyHash: batch.hash,
          idempotencyKey: request.headers['idempotency-key'],
          atomic: request.query.atomic ?? false,
        }), { roles: INGEST_ROLES })
      if (result.replayed) {
        reply.header('idempotent-replayed', 'true')
      }
      return result.body
    })

    app.post('/orgs/:orgId/metrics/points', {
      config: { auth: 'any', scope: 'ingest' },
      schema: {
        tags,
        summary: 'Push points to many metrics: [{metric (id or name), timestamp, value, dimensions?}]',
        description: `${RULES} An unknown or inactive metric is a per-point error (unknown_metric, metric_inactive).`,
        params: OrgParams,
        querystring: PointsQuery,
        headers: PointsHeaders,
        response: { 200: PointsResponse },
      },
    }, async (request, reply) => {
      const batch = requireBatch(request.body)
      const result = await withOrg(services, request, request.params.orgId, (trx) =>
        pushPoints(trx, request.params.orgId.toLowerCase(), {
          metricId: undefined,
          records: batch.records,
          bodyHash: batch.hash,
          idempotencyKey: request.headers['idempotency-key'],
          atomic: request.query.atomic ?? false,
        }), { roles: INGEST_ROLES })
      if (result.replayed) {
        reply.header('idempotent-replayed', 'true')
      }
      return result.body
    })
  }
}
