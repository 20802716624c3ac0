import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { withOrg, type OrgRole } from '../../platform/auth.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { registerBatchParsers, requireBatch } from './ingest.body.ts'
import { IngestHeaders, IngestParams, IngestQuery, IngestResponse } from './ingest.schema.ts'
import { ingestBatch } from './ingest.service.ts'

/** The API key acts as its creator, who must still be allowed to write data. */
export const INGEST_ROLES: OrgRole[] = ['owner', 'admin', 'member']

/**
 * POST /api/v1/ingest/{pipelineId}: the push API. Only API keys with the ingest scope (a
 * session cookie is refused: the route takes no ambient credentials). The answer is sent
 * after the batch is committed.
 */
export function ingestRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    registerBatchParsers(app, services, 'array')

    app.post('/ingest/:pipelineId', {
      config: { auth: 'apiKey', scope: 'ingest' },
      schema: {
        tags: ['ingest'],
        summary: 'Push records to a pipeline (API key with the ingest scope)',
        description:
          'Body: a JSON array of records (`application/json`) or one record per line (`application/x-ndjson`), optionally ' +
          '`Content-Encoding: gzip`; at most ingest.max_batch_records records (default 10,000) and ingest.max_batch_bytes ' +
          '(default 10 MB, also after decompression), else 413. The answer comes after the batch is committed. Valid records are ' +
          'stored and invalid ones listed in `errors`; with `atomic=true` any invalid record stores nothing (422). `Idempotency-Key`: ' +
          'a replay of a completed batch answers the same and stores nothing; the same key with another body answers 422 ' +
          'idempotency_key_reused; while the first request is in flight, 409 idempotency_key_in_flight. A paused pipeline answers ' +
          '409 pipeline_paused; an organization over its storage limit 507 storage_limit_exceeded.',
        security: [{ apiKey: [] }],
        params: IngestParams,
        querystring: IngestQuery,
        headers: IngestHeaders,
        response: { 200: IngestResponse },
      },
    }, async (request, reply) => {
      const actor = request.actor
      if (actor.kind !== 'apiKey') {
        throw new AppError('unauthenticated', 401, 'This route needs an API key (Authorization: Bearer)')
      }
      const batch = requireBatch(request.body)
      const result = await withOrg(
        services,
        request,
        actor.orgId,
        (trx) =>
          ingestBatch(trx, actor.orgId, {
            pipelineId: request.params.pipelineId,
            records: batch.records,
            arrayText: batch.arrayText,
            bodyHash: batch.hash,
            idempotencyKey: request.headers['idempotency-key'],
            atomic: request.query.atomic ?? false,
            source: { via: 'api', keyId: actor.keyId },
          }),
        { roles: INGEST_ROLES },
      )
      if (result.replayed) {
        reply.header('idempotent-replayed', 'true')
      }
      return reply.code(result.status).send(result.body)
    })
  }
}
