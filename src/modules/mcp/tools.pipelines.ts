import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { listPipelines } from '../pipelines/pipelines.service.ts'
import { ownDatabases, type ExecutionResult } from '../saved-queries/saved-queries.execute.ts'
import { executePlan, finishRun, listQueries, planRun } from '../saved-queries/saved-queries.service.ts'
import { listRuns, triggerRun } from '../workflows/workflows.service.ts'
import { defineTool } from './mcp.tool.ts'

const id = (what: string) => z.guid().describe(`The ${what}'s id (a UUID)`)
const RUN_STATUSES = ['Created', 'Queued', 'InProgress', 'Success', 'Failed', 'Cancelling', 'Cancelled', 'Timeout'] as const

export const listPipelinesTool = defineTool({
  name: 'list_pipelines',
  title: 'List pipelines',
  description:
    "Lists your organization's data pipelines (polling, realtime, p2p) with their status, schedule, last run and record counts. " +
    'Secret source settings are never included. Use the id with get_pipeline_runs or trigger_pipeline_run.',
  input: z.strictObject({}),
  async run(ctx) {
    const deps = { box: ctx.services.box, publicUrl: ctx.services.config.publicUrl }
    const pipelines = await ctx.inOrg((trx, actor) => listPipelines(trx, deps, actor))
    return { data: { pipelines } }
  },
})

export const getPipelineRunsTool = defineTool({
  name: 'get_pipeline_runs',
  title: 'Get pipeline runs',
  description: "Lists a pipeline's runs, newest first: status, trigger, start and end, duration, current stage, record counts and error message.",
  input: z.strictObject({
    pipelineId: id('pipeline (from list_pipelines)'),
    status: z.enum(RUN_STATUSES).optional().describe('Only runs in this status'),
    from: z.iso.datetime({ offset: true }).optional().describe('Runs created at or after (ISO 8601 with offset)'),
    to: z.iso.datetime({ offset: true }).optional().describe('Runs created before (ISO 8601 with offset)'),
    limit: z.number().int().min(1).max(200).default(20).describe('At most this many (default 20)'),
  }),
  async run(ctx, args) {
    const runs = await ctx.inOrg((trx, actor) =>
      listRuns(trx, actor, args.pipelineId, { status: args.status, from: args.from, to: args.to, limit: args.limit, offset: 0 }))
    return { data: { pipelineId: args.pipelineId, runs } }
  },
})

export const triggerPipelineRunTool = defineTool({
  name: 'trigger_pipeline_run',
  title: 'Run a pipeline now',
  description:
    'Queues a run of a pipeline now (write: needs an API key with the write scope, created by an owner, admin or member). Answers the new run ' +
    '(id, run number, status Queued); follow it with get_pipeline_runs. A paused pipeline or one without a data source is refused.',
  write: true,
  input: z.strictObject({
    pipelineId: id('pipeline (from list_pipelines)'),
    priority: z.number().int().min(-1000).max(1000).optional().describe('Lower numbers run first when runs wait for a slot (default 0)'),
    reason: z.string().min(1).max(500).optional().describe('Why the run was started; kept with the run'),
  }),
  async run(ctx, args) {
    const run = await ctx.inOrg(
      (trx, actor) =>
        triggerRun(trx, ctx.services.settings, actor, args.pipelineId, {
          ...(args.priority === undefined ? {} : { priority: args.priority }),
          context: { via: 'mcp', ...(args.reason === undefined ? {} : { reason: args.reason }) },
        }, 'api'),
      ['owner', 'admin', 'member'],
    )
    return { data: { run } }
  },
})

export const listSavedQueriesTool = defineTool({
  name: 'list_saved_queries',
  title: 'List saved queries',
  description:
    "Lists your organization's saved SQL queries (id, name, description, data source, SQL text and the {{name}} parameters each one takes). " +
    'Run one with run_saved_query.',
  input: z.strictObject({}),
  async run(ctx) {
    const queries = await ctx.inOrg((trx, actor) => listQueries(trx, actor))
    return { data: { queries } }
  },
})

const Scalar = z.union([z.string().max(10_000), z.number()])

export const runSavedQueryTool = defineTool({
  name: 'run_saved_query',
  title: 'Run a saved query',
  description:
    'Runs a saved query on its external data source (read-only, with its timeout and row limit) and answers columns and rows. ' +
    'params gives a value to each {{name}} parameter the query declares (see list_saved_queries): a string, a number, a date as YYYY-MM-DD, or an array for a list. ' +
    'A fresh cached result is answered without running (cached: true).',
  input: z.strictObject({
    queryId: id('saved query (from list_saved_queries)'),
    params: z.record(z.string(), z.union([z.null(), Scalar, z.array(Scalar).max(1000)])).default({}).describe('Values by parameter name'),
  }),
  async run(ctx, args) {
    const { services } = ctx
    const own = ownDatabases(services.config, services.ownerUrl)
    const plan = await ctx.inOrg((trx, actor) => planRun(trx, services.box, own, actor, args.queryId, args.params))
    if (plan.kind === 'cached') {
      return { data: { queryId: args.queryId, ...plan.result }, cacheHit: true }
    }
    // As the REST route: no Tessera transaction stays open while the source works.
    const started = performance.now()
    let result: ExecutionResult
    try {
      result = await executePlan(plan)
    } catch (error) {
      await ctx.inOrg((trx, actor) => finishRun(trx, actor, plan, { elapsedMs: performance.now() - started })).catch((logError: unknown) =>
        ctx.request.log.warn({ err: logError }, 'saved query failure log not written'))
      throw error
    }
    const finished = await ctx.inOrg((trx, actor) => finishRun(trx, actor, plan, { result, elapsedMs: result.durationMs }))
    if (!finished) {
      throw new Error('finishRun returned no result for a successful run')
    }
    return { data: { queryId: args.queryId, ...finished }, cacheHit: false }
  },
})
