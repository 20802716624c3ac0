import { gzipSync } from 'node:zlib'
import type { App } from '../src/app.ts'
import type { Session } from './app.ts'
import type { OrgFixture } from './tenancy.ts'

/** Test plumbing for pipelines and the ingest API, all through the API. */

export interface PipelineFixture {
  id: string
  webhookUrl?: string
}

export async function createPipeline(app: App, org: OrgFixture, body: Record<string, unknown> = {}, by: Session = org.owner): Promise<PipelineFixture> {
  const payload = { name: `Pipeline ${Math.random().toString(36).slice(2, 8)}`, type: 'realtime', ...body }
  const response = await app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines`, headers: by.headers, payload })
  if (response.statusCode !== 201) {
    throw new Error(`create pipeline failed: ${response.statusCode} ${response.body}`)
  }
  return response.json() as PipelineFixture
}

export interface PushOptions {
  key: string
  records?: unknown[]
  body?: string | Buffer
  contentType?: string
  gzip?: boolean
  idempotencyKey?: string
  atomic?: boolean
  headers?: Record<string, string>
}

/** POST /api/v1/ingest/{pipelineId} with an API key. */
export function push(app: App, pipelineId: string, options: PushOptions) {
  let body: string | Buffer = options.body ?? JSON.stringify(options.records ?? [])
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.key}`,
    'content-type': options.contentType ?? 'application/json',
    ...options.headers,
  }
  if (options.gzip) {
    body = gzipSync(body)
    headers['content-encoding'] = 'gzip'
  }
  if (options.idempotencyKey !== undefined) {
    headers['idempotency-key'] = options.idempotencyKey
  }
  return app.inject({ method: 'POST', url: `/api/v1/ingest/${pipelineId}${options.atomic ? '?atomic=true' : ''}`, headers, payload: body })
}

export const ndjson = (records: unknown[]) => `${records.map((record) => JSON.stringify(record)).join('\n')}\n`
