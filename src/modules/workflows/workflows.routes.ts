import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { requestContext, type OrgRole } from '../../platform/auth.ts'
import { withContext } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import {
  PipelineRunParams,
  RunCreatedResponse,
  RunDetailResponse,
  RunListQuery,
  RunParams,
  RunResponse,
  StatisticsQuery,
  StatisticsResponse,
  TemplateResponse,
  TriggerRunBody,
  UpdateWorkflowBody,
  WorkflowResponse,
} from './workflows.schema.ts'
import { cancelRun, getRun, getStatistics, getWorkflow, listRuns, listTemplates, retryRun, triggerRun, updateWorkflowSettings, type TriggerSource } from './workflows.service.ts'

const tags = ['pipeline runs']
/** Reads: every member, and API keys with the read scope. */
const READ = { auth: 'any', scope: 'read' } as const
/** Runs are started, cancelled and retried by owners, admins and members, or API keys with the write scope. */
const WRITE = { auth: 'any', scope: 'write' } as const
const WRITERS: OrgRole[] = ['owner', 'admin', 'member']
const write = { roles: WRITERS }

const via = (request: FastifyRequest): TriggerSource => (request.actor.kind === 'apiKey' ? 'api' : 'manual')

export function workflowRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/orgs/:orgId/pipelines/:pipelineId/runs', {
      config: WRITE,
      schema: {
        tags,
        summary: 'Run the pipeline now (owner, admin, member; API keys with scope write)',
        description:
          'Queues a workflow execution (status Queued) and answers at once; the worker runs it when one of the instance\'s ' +
          'max_concurrent_workflows slots is free. A pipeline without a data source answers 409 conflict.',
        params: PipelineRunParams,
        body: Type.Optional(TriggerRunBody),
        response: { 201: RunCreatedResponse },
      },
    }, async (request, reply) => {
      const run = await withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        triggerRun(trx, services.settings, actor, request.params.pipelineId, request.body ?? {}, via(request)), write)
      return reply.code(201).send(run)
    })

    app.get('/orgs/:orgId/pipelines/:pipelineId/runs', {
      config: READ,
      schema: { tags, summary: "The pipeline's runs, newest first", params: PipelineRunParams, querystring: RunListQuery, response: { 200: Type.Object({ runs: Type.Array(RunResponse) }) } },
    }, async (request) => ({
      runs: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listRuns(trx, actor, request.params.pipelineId, request.query)),
    }))

    app.get('/orgs/:orgId/pipelines/:pipelineId/statistics', {
      config: READ,
      schema: {
        tags,
        summary: 'Run statistics over a period, with the success-rate trend against the previous period of equal length',
        params: PipelineRunParams,
        querystring: StatisticsQuery,
        response: { 200: StatisticsResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getStatistics(trx, actor, request.params.pipelineId, request.query)))

    app.get('/orgs/:orgId/pipelines/:pipelineId/workflow', {
      config: READ,
      schema: { tags, summary: "The pipeline's workflow: timeout, retries and run statistics", params: PipelineRunParams, response: { 200: WorkflowResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getWorkflow(trx, services.settings, actor, request.params.pipelineId)))

    app.patch('/orgs/:orgId/pipelines/:pipelineId/workflow', {
      config: WRITE,
      schema: { tags, summary: "Change the pipeline's run timeout and retries (owner, admin, member)", params: PipelineRunParams, body: UpdateWorkflowBody, response: { 200: WorkflowResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => updateWorkflowSettings(trx, services.settings, actor, request.params.pipelineId, request.body), write))

    app.get('/orgs/:orgId/runs/:runId', {
      config: READ,
      schema: { tags, summary: 'A run with its stages, fetching and processing history and fetched contents', params: RunParams, response: { 200: RunDetailResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getRun(trx, actor, request.params.runId)))

    app.post('/orgs/:orgId/runs/:runId/cancel', {
      config: WRITE,
      schema: {
        tags,
        summary: 'Cancel a run (owner, admin, member)',
        description: 'A queued run ends Cancelled at once; a running one answers Cancelling and ends Cancelled within seconds. An ended run answers 409.',
        params: RunParams,
        response: { 200: RunCreatedResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => cancelRun(trx, actor, request.params.runId), write))

    app.post('/orgs/:orgId/runs/:runId/retry', {
      config: WRITE,
      schema: {
        tags,
        summary: 'Run a failed, cancelled or timed-out run again from the start (owner, admin, member)',
        description: 'Answers the new run; its parentExecutionId is the original run. Other statuses answer 409.',
        params: RunParams,
        response: { 201: RunCreatedResponse },
      },
    }, async (request, reply) => {
      const run = await withOrgActor(services, request, request.params.orgId, (trx, actor) => retryRun(trx, services.settings, actor, request.params.runId, via(request)), write)
      return reply.code(201).send(run)
    })

    app.get('/workflow-templates', {
      config: READ,
      schema: { tags, summary: 'The workflow templates of this instance', response: { 200: Type.Object({ templates: Type.Array(TemplateResponse) }) } },
    }, async (request) => ({ templates: await withContext(services.db, requestContext(request), (trx) => listTemplates(trx)) }))
  }
}
