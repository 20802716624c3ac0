import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { OrgRole } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { deleteMapping, putMapping } from './mapping.service.ts'
import { listData } from './pipeline-data.service.ts'
import {
  CreatedPipelineResponse,
  CreatedSinkResponse,
  CreatePipelineBody,
  DataQuery,
  DataResponse,
  MappingResponse,
  MappingSpecBody,
  PauseBody,
  PipelineParams,
  PipelineResponse,
  SinkBody,
  SinkParams,
  SinkResponse,
  UpdatePipelineBody,
  WebhookSecretResponse,
} from './pipelines.schema.ts'
import { createPipeline, deletePipeline, getPipeline, listPipelines, rotateWebhookSecret, setPipelineStatus, updatePipeline, type PipelineDeps } from './pipelines.service.ts'
import { createSink, deleteSink, listSinks } from './sinks.service.ts'
import { listSinkDeliveries, retrySinkDelivery } from '../sinks/deliveries.service.ts'
import { DeliveryListQuery, DeliveryListResponse, DeliveryParams, DeliveryResponse } from '../sinks/deliveries.schema.ts'

const tags = ['pipelines']
/** Reads are open to every member and to API keys with the read scope. */
const READ = { auth: 'any', scope: 'read' } as const
/** Owners, admins and members build pipelines; viewers only read (the policies agree). */
const WRITERS: OrgRole[] = ['owner', 'admin', 'member']
const write = { roles: WRITERS }

export function pipelineRoutes(services: Services): FastifyPluginAsyncTypebox {
  const deps: PipelineDeps = { box: services.box, publicUrl: services.config.publicUrl }
  return async (app) => {
    app.get('/orgs/:orgId/pipelines', {
      config: READ,
      schema: { tags, summary: "The organization's pipelines with their status", params: OrgParams, response: { 200: Type.Object({ pipelines: Type.Array(PipelineResponse) }) } },
    }, async (request) => ({ pipelines: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listPipelines(trx, deps, actor)) }))

    app.post('/orgs/:orgId/pipelines', {
      schema: {
        tags,
        summary: 'Create a pipeline (owner, admin, member)',
        description:
          'polling needs intervalSeconds or cronSchedule; p2p never stores data (persistData is false); realtime and p2p answer a `webhookUrl` once. ' +
          'An invalid mapping answers 400 invalid_mapping. Secret-looking sourceConfig settings (password, token, apiKey, …) are stored encrypted and never returned.',
        params: OrgParams,
        body: CreatePipelineBody,
        response: { 201: CreatedPipelineResponse },
      },
    }, async (request, reply) => {
      const created = await withOrgActor(services, request, request.params.orgId, (trx, actor) => createPipeline(trx, deps, actor, request.body), write)
      return reply.code(201).send(created)
    })

    app.get('/orgs/:orgId/pipelines/:pipelineId', {
      config: READ,
      schema: { tags, summary: 'A pipeline', params: PipelineParams, response: { 200: PipelineResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getPipeline(trx, deps, actor, request.params.pipelineId)))

    app.patch('/orgs/:orgId/pipelines/:pipelineId', {
      schema: { tags, summary: 'Change a pipeline (owner, admin, member); its type is fixed', params: PipelineParams, body: UpdatePipelineBody, response: { 200: PipelineResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => updatePipeline(trx, deps, actor, request.params.pipelineId, request.body), write))

    app.delete('/orgs/:orgId/pipelines/:pipelineId', {
      schema: { tags, summary: 'Delete a pipeline with its sinks, mapping and stored data (owner, admin, member)', params: PipelineParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deletePipeline(trx, actor, request.params.pipelineId), write)
      return reply.code(204).send(null)
    })

    app.post('/orgs/:orgId/pipelines/:pipelineId/pause', {
      schema: { tags, summary: 'Pause a pipeline: pushes answer 409 pipeline_paused and runs stop', params: PipelineParams, body: Type.Optional(PauseBody), response: { 200: PipelineResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => setPipelineStatus(trx, deps, actor, request.params.pipelineId, { status: 'paused', reason: request.body?.reason }), write))

    app.post('/orgs/:orgId/pipelines/:pipelineId/resume', {
      schema: { tags, summary: 'Resume a paused (or failed) pipeline', params: PipelineParams, response: { 200: PipelineResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => setPipelineStatus(trx, deps, actor, request.params.pipelineId, { status: 'active' }), write))

    app.post('/orgs/:orgId/pipelines/:pipelineId/webhook-secret', {
      schema: {
        tags,
        summary: 'Issue a new webhook URL (shown once); the old one stops working',
        description: "A realtime or p2p pipeline's webhook receives records; a polling pipeline's webhook starts a run (triggered by webhook).",
        params: PipelineParams,
        response: { 200: WebhookSecretResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => rotateWebhookSecret(trx, deps, actor, request.params.pipelineId), write))

    app.put('/orgs/:orgId/pipelines/:pipelineId/mapping', {
      schema: { tags, summary: "Set the pipeline's data mapping (each change bumps its version)", params: PipelineParams, body: MappingSpecBody, response: { 200: MappingResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => putMapping(trx, actor, request.params.pipelineId, request.body), write))

    app.delete('/orgs/:orgId/pipelines/:pipelineId/mapping', {
      schema: { tags, summary: 'Remove the mapping: records are stored as they come', params: PipelineParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteMapping(trx, actor, request.params.pipelineId), write)
      return reply.code(204).send(null)
    })

    app.get('/orgs/:orgId/pipelines/:pipelineId/sinks', {
      config: READ,
      schema: {
        tags,
        summary: "A pipeline's sinks, without their secrets, with their delivery state",
        description: '`delivery`: batches pending, the last delivery, the last error and record counters.',
        params: PipelineParams,
        response: { 200: Type.Object({ sinks: Type.Array(SinkResponse) }) },
      },
    }, async (request) => ({
      sinks: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listSinks(trx, services.box, actor, request.params.pipelineId)),
    }))

    app.post('/orgs/:orgId/pipelines/:pipelineId/sinks', {
      schema: { tags, summary: 'Add a sink (owner, admin, member)', params: PipelineParams, body: SinkBody, response: { 201: CreatedSinkResponse } },
    }, async (request, reply) => {
      const sink = await withOrgActor(services, request, request.params.orgId, (trx, actor) => createSink(trx, services.box, actor, request.params.pipelineId, request.body), write)
      return reply.code(201).send(sink)
    })

    app.delete('/orgs/:orgId/pipelines/:pipelineId/sinks/:sinkId', {
      schema: { tags, summary: 'Remove a sink (owner, admin, member)', params: SinkParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteSink(trx, actor, request.params.pipelineId, request.params.sinkId), write)
      return reply.code(204).send(null)
    })

    app.get('/orgs/:orgId/pipelines/:pipelineId/sinks/:sinkId/deliveries', {
      config: READ,
      schema: {
        tags,
        summary: "A sink's recent deliveries, newest first (without their records)",
        description:
          'Every batch a pipeline accepts (push, webhook or run) becomes one delivery per active sink, committed with the batch. ' +
          'Failures are retried with exponential backoff (about 5 s doubling up to 10 min, with jitter) up to the sink\'s maxRetries; ' +
          'a 4xx answer other than 408 and 429 fails at once. Delivered rows are kept 7 days, failed ones 30.',
        params: SinkParams,
        querystring: DeliveryListQuery,
        response: { 200: DeliveryListResponse },
      },
    }, async (request) => ({
      deliveries: await withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        listSinkDeliveries(trx, actor, request.params.pipelineId, request.params.sinkId, request.query)),
    }))

    app.post('/orgs/:orgId/pipelines/:pipelineId/sinks/:sinkId/deliveries/:deliveryId/retry', {
      schema: {
        tags,
        summary: 'Retry a failed delivery now, with the full number of retries again (owner, admin, member)',
        description: 'Only failed deliveries: another status answers 409 conflict.',
        params: DeliveryParams,
        response: { 200: DeliveryResponse },
      },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        retrySinkDelivery(trx, actor, request.params.pipelineId, request.params.sinkId, request.params.deliveryId), write))

    app.get('/orgs/:orgId/pipelines/:pipelineId/data', {
      config: READ,
      schema: {
        tags,
        summary: 'Stored rows of a pipeline in a time range (default: the last 24 hours; at most 1000)',
        params: PipelineParams,
        querystring: DataQuery,
        response: { 200: DataResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => listData(trx, actor, request.params.pipelineId, request.query)))
  }
}
