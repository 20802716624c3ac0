import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { OrgRole } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { ownDatabases, type ExecutionResult } from './saved-queries.execute.ts'
import { CreateQueryBody, PreviewQueryBody, QueryParams, QueryResponse, RunQueryBody, RunResult, UpdateQueryBody } from './saved-queries.schema.ts'
import { createQuery, deleteQuery, executePlan, finishRun, getQuery, listQueries, planPreview, planRun, updateQuery, type RunPlan } from './saved-queries.service.ts'

const tags = ['saved queries']
/** Reads and runs are open to every member (viewers too) and to API keys with the read scope. */
const READ = { auth: 'any', scope: 'read' } as const
/** Owners, admins and members write SQL (the policies agree); viewers only read and run. */
const WRITERS: OrgRole[] = ['owner', 'admin', 'member']
const write = { roles: WRITERS }

/**
 * Saved queries: SQL against an external PostgreSQL / MySQL source with typed {{name}}
 * parameters. A run is three steps so that no Tessera transaction stays open while the
 * source works: plan (tenant transaction: load, bind, cache lookup), execute (the source,
 * read-only, with a timeout), finish (tenant transaction: cache, log).
 */
export function savedQueryRoutes(services: Services): FastifyPluginAsyncTypebox {
  const own = ownDatabases(services.config, services.ownerUrl)

  async function run(request: FastifyRequest, orgId: string, plan: RunPlan): Promise<RunResult> {
    if (plan.kind === 'cached') {
      return plan.result
    }
    const started = performance.now()
    let result: ExecutionResult
    try {
      result = await executePlan(plan)
    } catch (error) {
      // A failed run is logged too (no rows), then reported as the source's error.
      await withOrgActor(services, request, orgId, (trx, actor) => finishRun(trx, actor, plan, { elapsedMs: performance.now() - started })).catch((logError: unknown) =>
        request.log.warn({ err: logError }, 'saved query failure log not written'),
      )
      throw error
    }
    const finished = await withOrgActor(services, request, orgId, (trx, actor) => finishRun(trx, actor, plan, { result, elapsedMs: result.durationMs }))
    if (!finished) {
      throw new Error('finishRun returned no result for a successful run')
    }
    return finished
  }

  return async (app) => {
    app.get('/orgs/:orgId/queries', {
      config: READ,
      schema: { tags, summary: "The organization's saved queries", params: OrgParams, response: { 200: Type.Object({ queries: Type.Array(QueryResponse) }) } },
    }, async (request) => ({ queries: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listQueries(trx, actor)) }))

    app.post('/orgs/:orgId/queries', {
      schema: {
        tags,
        summary: 'Save a query (owner, admin, member)',
        description:
          'dataSourceId: a postgresql or mysql source (never Tessera\'s own database). queryText: one SELECT / WITH / VALUES statement; parameters are written {{name}} ' +
          'and defined in parameters ({name, type: text|number|date|list, default?, required?}); a list expands to one bind parameter per element, e.g. in ({{ids}}).',
        params: OrgParams,
        body: CreateQueryBody,
        response: { 201: QueryResponse },
      },
    }, async (request, reply) =>
      reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) => createQuery(trx, services.box, own, actor, request.body), write)))

    app.post('/orgs/:orgId/queries/preview', {
      schema: {
        tags,
        summary: 'Run unsaved SQL against a source, for the editor (owner, admin, member)',
        description: 'Same rules as a run (read-only, timeout, row limit, default 100 rows); never cached; logged.',
        params: OrgParams,
        body: PreviewQueryBody,
        response: { 200: RunResult },
      },
    }, async (request) => {
      const plan = await withOrgActor(services, request, request.params.orgId, (trx, actor) => planPreview(trx, services.box, own, actor, request.body), write)
      return run(request, request.params.orgId, plan)
    })

    app.get('/orgs/:orgId/queries/:queryId', {
      config: READ,
      schema: { tags, summary: 'A saved query', params: QueryParams, response: { 200: QueryResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getQuery(trx, actor, request.params.queryId)))

    app.patch('/orgs/:orgId/queries/:queryId', {
      schema: { tags, summary: 'Change a saved query (owner, admin, member); its cached results are dropped', params: QueryParams, body: UpdateQueryBody, response: { 200: QueryResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => updateQuery(trx, services.box, own, actor, request.params.queryId, request.body), write))

    app.delete('/orgs/:orgId/queries/:queryId', {
      schema: { tags, summary: 'Delete a saved query (owner, admin, member)', params: QueryParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteQuery(trx, actor, request.params.queryId), write)
      return reply.code(204).send(null)
    })

    app.post('/orgs/:orgId/queries/:queryId/run', {
      config: READ,
      schema: {
        tags,
        summary: 'Run a saved query (every member, viewers included)',
        description:
          'params: values by parameter name. Answers 400 invalid_query_parameter (unknown, missing or wrongly typed value), query_timeout, query_not_read_only, ' +
          'query_failed (the source\'s message) or source_not_allowed. A result is served from the cache for cacheDuration seconds (cached: true, asOf: when it was computed).',
        params: QueryParams,
        body: Type.Optional(RunQueryBody),
        response: { 200: RunResult },
      },
    }, async (request) => {
      const params = request.body?.params ?? {}
      const plan = await withOrgActor(services, request, request.params.orgId, (trx, actor) => planRun(trx, services.box, own, actor, request.params.queryId, params))
      return run(request, request.params.orgId, plan)
    })
  }
}
