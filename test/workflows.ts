import type { IncomingMessage, ServerResponse } from 'node:http'
import pino from 'pino'
import type { App } from '../src/app.ts'
import { installQueueSchema } from '../src/modules/jobs/jobs.runner.ts'
import { runExecutionJob } from '../src/modules/workflows/workflow.engine.ts'
import type { WorkflowDeps } from '../src/modules/workflows/workflow.lifecycle.ts'
import { runJobKey } from '../src/modules/workflows/workflows.queue.ts'
import type { TestContext } from './app.ts'
import { createDataSource, setOutboundAllowlist } from './data-sources.ts'
import { sendJson, startHttpPeer, type HttpPeer } from './http-peer.ts'
import { createPipeline } from './ingest.ts'
import type { OrgFixture } from './tenancy.ts'

/** Test plumbing for pipeline runs: a polled JSON API on loopback, pipelines on it, and job runs in-process. */

/** 25 records; every fifth price (ids 1, 6, 11, 16, 21) is not a number. */
export const ITEMS = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, price: i % 5 === 0 ? 'n/a' : String(i + 0.5), at: `2024-05-01T10:${String(i).padStart(2, '0')}:00Z` }))

/**
 * GET /items?page=N&per_page=M pages through ITEMS. Paths in `hang` never answer (until the
 * client gives up), paths in `fail` answer 500, and `delayMs` slows every page.
 */
export interface PolledApi extends HttpPeer {
  hang: Set<string>
  fail: Set<string>
  delayMs: number
}

export async function startPolledApi(): Promise<PolledApi> {
  const state = { hang: new Set<string>(), fail: new Set<string>(), delayMs: 0 }
  const peer = await startHttpPeer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://api')
    const answer = () => {
      if (state.hang.has(url.pathname)) {
        return
      }
      if (state.fail.has(url.pathname)) {
        return sendJson(response, 500, { error: 'upstream is down' })
      }
      const size = Number(url.searchParams.get('per_page') ?? 10)
      const page = Number(url.searchParams.get('page') ?? 1)
      sendJson(response, 200, { data: ITEMS.slice((page - 1) * size, page * size) }, { 'set-cookie': 'session=secret' })
    }
    if (state.delayMs > 0) {
      setTimeout(answer, state.delayMs)
    } else {
      answer()
    }
  })
  // The handler reads `state`, which the returned object is: tests flip hang, fail and delayMs on it.
  return Object.assign(state, peer)
}

/** Installs graphile-worker's schema (the API queues run jobs) and allowlists loopback for the polled API. */
export async function prepareWorkflows(ctx: TestContext): Promise<void> {
  await installQueueSchema(ctx.testDb.ownerUrl)
  await setOutboundAllowlist(ctx, ['127.0.0.1'])
}

/** A polling pipeline on an API data source at `path` of the polled API, with a mapping unless told otherwise. */
export async function createPolledPipeline(app: App, org: OrgFixture, api: PolledApi, options: { path?: string; mapping?: unknown; body?: Record<string, unknown> } = {}): Promise<{ id: string; dataSourceId: string }> {
  const source = await createDataSource(app, org, {
    name: `API ${Math.random().toString(36).slice(2, 8)}`,
    type: 'api',
    config: { url: `${api.url}${options.path ?? '/items'}`, pagination: { type: 'page', param: 'page', sizeParam: 'per_page', size: 10, maxPages: 10 }, recordsPath: 'data' },
  })
  const mapping = options.mapping === undefined
    ? { mappings: [{ path: '$.id', field: 'id', type: 'integer', required: true }, { path: '$.name', field: 'name', type: 'string' }, { path: '$.price', field: 'price', type: 'number', onCastError: 'null' }, { path: '$.at', field: 'at', type: 'timestamp' }], timestampField: 'at' }
    : options.mapping
  const pipeline = await createPipeline(app, org, { type: 'polling', intervalSeconds: 3600, dataSourceId: source.id, ...(mapping ? { mapping } : {}), ...options.body })
  return { id: pipeline.id, dataSourceId: source.id }
}

export const runsUrl = (org: OrgFixture, pipelineId: string) => `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/runs`
export const runUrl = (org: OrgFixture, runId: string, rest = '') => `/api/v1/orgs/${org.id}/runs/${runId}${rest}`

export interface TriggeredRun {
  id: string
  runNumber: number
  status: string
  parentExecutionId: string | null
}

export async function triggerRun(app: App, org: OrgFixture, pipelineId: string, headers: Record<string, string> = org.owner.headers): Promise<TriggeredRun> {
  const response = await app.inject({ method: 'POST', url: runsUrl(org, pipelineId), headers, payload: {} })
  if (response.statusCode !== 201) {
    throw new Error(`trigger run failed: ${response.statusCode} ${response.body}`)
  }
  return response.json() as TriggeredRun
}

/** Engine settings for tests: fast heartbeats, short backoff and slot waits. */
export function testWorkflowDeps(ctx: TestContext, overrides: Partial<WorkflowDeps> = {}): WorkflowDeps {
  return { services: ctx.services, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), heartbeatMs: 50, retryBaseMs: 1_000, slotWaitMs: 100, ...overrides }
}

/** The queued job of an execution (as the superuser sees graphile-worker's table). */
export async function queuedJob(ctx: TestContext, executionId: string): Promise<{ id: string; run_at: Date; attempts: number } | undefined> {
  const { rows } = await ctx.admin.query<{ id: string; run_at: Date; attempts: number }>('select id::text, run_at, attempts from graphile_worker.jobs where key = $1', [runJobKey(executionId)])
  return rows[0]
}

/** Runs the execution's job handler in-process, as the worker would (the job stays in the queue table). */
export async function runJob(ctx: TestContext, orgId: string, executionId: string, options: { deps?: WorkflowDeps; jobId?: string } = {}): Promise<void> {
  const jobId = options.jobId ?? (await queuedJob(ctx, executionId))?.id ?? '0'
  await runExecutionJob(options.deps ?? testWorkflowDeps(ctx), { orgId, executionId }, { id: jobId })
}

export interface ExecutionState {
  status: string
  retry_count: number
  error_code: string | null
  error_message: string | null
  stages_completed: number
  run_number: number
}

export async function executionState(ctx: TestContext, executionId: string): Promise<ExecutionState> {
  const { rows } = await ctx.admin.query<ExecutionState>(
    'select status, retry_count, error_code, error_message, stages_completed, run_number from ingest.workflow_executions where id = $1', [executionId])
  if (!rows[0]) {
    throw new Error(`no execution ${executionId}`)
  }
  return rows[0]
}

