import pino from 'pino'
import type { TestContext } from '../../../test/app.ts'
import { sendJson, startHttpPeer, type HttpPeer } from '../../../test/http-peer.ts'
import type { OrgFixture } from '../../../test/tenancy.ts'
import type { DeliveryDeps } from './delivery.outcome.ts'

/** Test plumbing of the sink delivery tests: a scriptable webhook receiver, delivery deps, sink API calls. */

export interface Receiver extends HttpPeer {
  /** Statuses answered in turn; once empty, 200. */
  script: number[]
}

export async function startReceiver(): Promise<Receiver> {
  const script: number[] = []
  const peer = await startHttpPeer((_request, response) => {
    const status = script.shift() ?? 200
    sendJson(response, status, status < 300 ? { ok: true } : { error: `scripted ${status}` })
  })
  return Object.assign(peer, { script })
}

/** Delivery without waiting: a retry is due at once (the backoff itself is tested apart). */
export function testDeliveryDeps(ctx: TestContext, overrides: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return { services: ctx.services, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), retryBaseMs: 0, ...overrides }
}

export const sinksUrl = (org: OrgFixture, pipelineId: string, rest = '') => `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/sinks${rest}`

export async function addSink(ctx: TestContext, org: OrgFixture, pipelineId: string, body: Record<string, unknown>): Promise<{ id: string; signingSecret?: string }> {
  const response = await ctx.app.inject({ method: 'POST', url: sinksUrl(org, pipelineId), headers: org.owner.headers, payload: body })
  if (response.statusCode !== 201) {
    throw new Error(`create sink failed: ${response.statusCode} ${response.body}`)
  }
  return response.json() as { id: string; signingSecret?: string }
}

export interface DeliveryState {
  id: string
  status: string
  attempts: number
  last_error: string | null
  last_status_code: number | null
  hop: number
  has_payload: boolean
  record_count: number
}

/** A pipeline's deliveries as the superuser sees them, oldest first. */
export async function deliveriesOf(ctx: TestContext, pipelineId: string): Promise<DeliveryState[]> {
  const { rows } = await ctx.admin.query<DeliveryState>(
    `select id, status, attempts, last_error, last_status_code, hop, payload is not null as has_payload, record_count
       from ingest.sink_deliveries where pipeline_id = $1 order by created_at, id`,
    [pipelineId])
  return rows
}

export async function storedRows(ctx: TestContext, pipelineId: string): Promise<unknown[]> {
  const { rows } = await ctx.admin.query<{ data: unknown }>('select data from ingest.pipeline_data where pipeline_id = $1 order by id', [pipelineId])
  return rows.map((row) => row.data)
}
