import { createHmac } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { safeEqual, sha256 } from '../../platform/crypto.ts'
import { withContext } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { openSealedSource } from '../pipelines/pipelines.service.ts'
import { triggerRunByWebhook } from '../workflows/workflows.service.ts'
import { RunCreatedResponse } from '../workflows/workflows.schema.ts'
import { ParsedBatch, registerBatchParsers, requireBatch } from './ingest.body.ts'
import { pipelineForWebhook } from './ingest.repository.ts'
import { HookParams, IngestHeaders, IngestParams, IngestResponse } from './ingest.schema.ts'
import { ingestBatch } from './ingest.service.ts'

const SIGNATURE_HEADER = 'x-tessera-signature'
const refused = () => new AppError('unauthenticated', 401, 'Unknown webhook, or its secret or signature is wrong')

/**
 * The webhook of a pipeline, for providers that can only POST to a URL: a realtime or p2p
 * pipeline's receives records, a polling pipeline's starts a run.
 * Two ways to authenticate, no API key:
 * - the secret in the path (`/hooks/{pipelineId}/{secret}`), checked as SHA-256 in constant time;
 * - `X-Tessera-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the secret>` on
 *   `/hooks/{pipelineId}` (the secret then never travels). With both, both must hold.
 *
 * The lookup goes through private.pipeline_for_webhook (there is no tenant context yet), and
 * the batch is then stored exactly like an API-key push, in a tenant transaction acting as the
 * pipeline's creator (or the organization's first owner once the creator can no longer write):
 * the policies apply unchanged and the insert path is the same code, so there is no second,
 * privileged way into pipeline_data.
 */
export function hookRoutes(services: Services): FastifyPluginAsyncTypebox {
  async function receive(request: FastifyRequest, pipelineId: string, pathSecret: string | undefined, idempotencyKey: string | undefined) {
    const pipeline = await pipelineForWebhook(services.db, pipelineId)
    if (!pipeline || !pipeline.acting_user_id) {
      throw refused()
    }
    // A polling pipeline's webhook starts a run; its body (optional) is only context.
    const received = request.body instanceof ParsedBatch ? request.body : undefined
    const batch = pipeline.type === 'polling' ? (received ?? new ParsedBatch([], Buffer.alloc(0), sha256(''), undefined)) : requireBatch(request.body)
    const signature = request.headers[SIGNATURE_HEADER]
    if (pathSecret === undefined && typeof signature !== 'string') {
      throw new AppError('unauthenticated', 401, `Send the webhook secret in the URL or sign the body (${SIGNATURE_HEADER}: sha256=<hmac>)`)
    }
    if (pathSecret !== undefined && !safeEqual(sha256(pathSecret), pipeline.webhook_secret_hash)) {
      throw refused()
    }
    if (typeof signature === 'string') {
      const secret = openSealedSource(services.box, pipelineId, pipeline.source_config_encrypted).webhookSecret
      const expected = secret === undefined ? undefined : `sha256=${createHmac('sha256', secret).update(batch.raw).digest('hex')}`
      if (expected === undefined || !safeEqual(signature.trim().toLowerCase(), expected)) {
        throw refused()
      }
    }
    const context = { userId: pipeline.acting_user_id, orgId: pipeline.organization_id, ip: request.ip, requestId: request.id, sessionId: `webhook:${pipelineId}` }
    if (pipeline.type === 'polling') {
      const actor = { userId: pipeline.acting_user_id, orgId: pipeline.organization_id, role: 'member' as const }
      const run = await withContext(services.db, context, (trx) => triggerRunByWebhook(trx, services.settings, actor, pipelineId, { records: batch.records, bytes: batch.raw.length }))
      return { status: 202 as const, body: run }
    }
    return withContext(services.db, context, (trx) =>
      ingestBatch(trx, pipeline.organization_id, {
        pipelineId,
        records: batch.records,
        arrayText: batch.arrayText,
        bodyHash: batch.hash,
        idempotencyKey,
        atomic: false,
        source: { via: 'webhook' },
      }),
    )
  }

  const description =
    'A JSON object (one record) or array (several), or NDJSON, gzip accepted, stored like an ingest push (mapping, limits, ' +
    '409 pipeline_paused, 507 storage_limit_exceeded, optional Idempotency-Key), for realtime and p2p pipelines. ' +
    "A polling pipeline's webhook starts a run instead and answers 202 with the run; its body (optional) is kept in the run's context."

  return async (app) => {
    registerBatchParsers(app, services, 'arrayOrObject')

    app.post('/hooks/:pipelineId/:secret', {
      config: { auth: 'none' },
      schema: { tags: ['ingest'], summary: "Receive a provider's webhook (secret in the URL)", description, params: HookParams, headers: IngestHeaders, response: { 200: IngestResponse, 202: RunCreatedResponse } },
    }, async (request, reply) => {
      const result = await receive(request, request.params.pipelineId, request.params.secret, request.headers['idempotency-key'])
      return reply.code(result.status).send(result.body)
    })

    app.post('/hooks/:pipelineId', {
      config: { auth: 'none' },
      schema: {
        tags: ['ingest'],
        summary: "Receive a provider's webhook signed with the pipeline's secret",
        description: `${description} Needs ${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the raw (decompressed) body, keyed with the webhook secret>.`,
        params: IngestParams,
        headers: Type.Composite([IngestHeaders, Type.Object({ [SIGNATURE_HEADER]: Type.Optional(Type.String({ maxLength: 200 })) })]),
        response: { 200: IngestResponse, 202: RunCreatedResponse },
      },
    }, async (request, reply) => {
      const result = await receive(request, request.params.pipelineId, undefined, request.headers['idempotency-key'])
      return reply.code(result.status).send(result.body)
    })
  }
}
