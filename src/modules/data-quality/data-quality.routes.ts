import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { OrgRole } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { PipelineParams } from '../pipelines/pipelines.schema.ts'
import {
  CheckResponse,
  CreateCheckBody,
  QualityCheckParams,
  ResultResponse,
  ResultsQuery,
  RunCheckQuery,
  UpdateCheckBody,
} from './data-quality.schema.ts'
import { createCheck, deleteCheck, getCheck, listChecks, listResults, runCheck, updateCheck } from './data-quality.service.ts'

const tags = ['data quality']
/** Reads are open to every member and to API keys with the read scope, like the pipeline's other reads. */
const READ = { auth: 'any', scope: 'read' } as const
/** As for the pipeline itself: owners, admins and members configure checks; viewers only read (the policies agree). */
const WRITERS: OrgRole[] = ['owner', 'admin', 'member']
const write = { roles: WRITERS }

const BEHAVIOUR =
  'completeness, accuracy and consistency checks run on every pushed batch (the ingest API and webhooks) and every pipeline run, over the ' +
  'rows as stored; a batch fails a check when the share of its checked rows that pass is below `threshold`. freshness runs every minute ' +
  'and fails after `maxAgeMinutes` without records. A failing check with onFailure `pause` pauses the pipeline (its status_reason names ' +
  'the check; the batch itself is stored); `warn` only records the result.'

export function dataQualityRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const base = '/orgs/:orgId/pipelines/:pipelineId/quality-checks'

    app.get(base, {
      config: READ,
      schema: { tags, summary: "A pipeline's data quality checks with their latest results", params: PipelineParams, response: { 200: Type.Object({ checks: Type.Array(CheckResponse) }) } },
    }, async (request) => ({ checks: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listChecks(trx, actor, request.params.pipelineId)) }))

    app.post(base, {
      schema: {
        tags,
        summary: 'Add a data quality check to a pipeline (owner, admin, member)',
        description: BEHAVIOUR,
        params: PipelineParams,
        body: CreateCheckBody,
        response: { 201: CheckResponse },
      },
    }, async (request, reply) => {
      const check = await withOrgActor(services, request, request.params.orgId, (trx, actor) => createCheck(trx, actor, request.params.pipelineId, request.body), write)
      return reply.code(201).send(check)
    })

    app.get(`${base}/:checkId`, {
      config: READ,
      schema: { tags, summary: 'A data quality check with its latest result', params: QualityCheckParams, response: { 200: CheckResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getCheck(trx, actor, request.params.pipelineId, request.params.checkId)))

    app.patch(`${base}/:checkId`, {
      schema: { tags, summary: 'Change a data quality check (owner, admin, member); its type is fixed', params: QualityCheckParams, body: UpdateCheckBody, response: { 200: CheckResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => updateCheck(trx, actor, request.params.pipelineId, request.params.checkId, request.body), write))

    app.delete(`${base}/:checkId`, {
      schema: { tags, summary: 'Delete a data quality check and its results (owner, admin, member)', params: QualityCheckParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteCheck(trx, actor, request.params.pipelineId, request.params.checkId), write)
      return reply.code(204).send(null)
    })

    app.get(`${base}/:checkId/results`, {
      config: READ,
      schema: {
        tags,
        summary: "A check's results, newest first (kept ingest.quality_results_retention_days, default 30)",
        params: QualityCheckParams,
        querystring: ResultsQuery,
        response: { 200: Type.Object({ results: Type.Array(ResultResponse) }) },
      },
    }, async (request) => ({
      results: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listResults(trx, actor, request.params.pipelineId, request.params.checkId, request.query)),
    }))

    app.post(`${base}/:checkId/run`, {
      schema: {
        tags,
        summary: 'Evaluate a check now (owner, admin, member)',
        description:
          'A batch check runs over the newest `sampleSize` stored rows (default 1000); a freshness check over the time since the last records. ' +
          'The result is recorded with trigger `manual` and becomes the latest, but a manual run never pauses the pipeline.',
        params: QualityCheckParams,
        querystring: RunCheckQuery,
        response: { 200: ResultResponse },
      },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => runCheck(trx, actor, request.params.pipelineId, request.params.checkId, request.query), write))
  }
}
