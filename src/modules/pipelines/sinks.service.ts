import { randomUUID } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { randomToken, type SecretBox } from '../../platform/crypto.ts'
import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { pendingDeliveriesBySink, toSinkDeliveryState } from '../sinks/deliveries.service.ts'
import { deleteSink as deleteSinkRow, findSink, insertSink, listSinks as listSinkRows, pipelineInOrg, type SinkRow } from './sinks.repository.ts'
import type { CreatedSinkResponse, SinkBody, SinkResponse } from './pipelines.schema.ts'

/**
 * Sink configurations are split in two: the part shown in the API (sink_config) and the
 * secrets (sink_config_encrypted: AES-256-GCM through services.box, bound to the sink id), which
 * nothing returns. Whoever delivers to a sink reads the whole thing with decryptSinkConfig
 * (delivery itself lives in src/modules/sinks).
 */

const WebhookConfig = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2000 }),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,100}$' }), Type.String({ maxLength: 4000 }), { maxProperties: 50 })),
    maxRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
  },
  { additionalProperties: false },
)
const PostgresConfig = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    database: Type.String({ minLength: 1, maxLength: 63 }),
    user: Type.String({ minLength: 1, maxLength: 63 }),
    password: Type.Optional(Type.String({ maxLength: 1000 })),
    sslMode: Type.Optional(Type.Union([Type.Literal('disable'), Type.Literal('prefer'), Type.Literal('require'), Type.Literal('verify-full')])),
    schema: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' })),
    table: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' }),
  },
  { additionalProperties: false },
)
const checkWebhook = TypeCompiler.Compile(WebhookConfig)
const checkPostgres = TypeCompiler.Compile(PostgresConfig)

export type WebhookSinkConfig = Static<typeof WebhookConfig> & { secret: string }
export type PostgresSinkConfig = Static<typeof PostgresConfig>
export type FullSinkConfig = WebhookSinkConfig | PostgresSinkConfig | Record<string, never>

type Secrets = Record<string, unknown>
const aad = (sinkId: string) => `ingest.pipeline_sinks:${sinkId}`

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', 400, `${field} ${message}`, { details: [{ field, message }] })
}

function checked<T>(compiled: { Check(value: unknown): value is T; Errors(value: unknown): Iterable<{ path: string; message: string }> }, value: unknown, field: string): T {
  if (compiled.Check(value)) {
    return value
  }
  const first = [...compiled.Errors(value)][0]
  throw invalid(`${field}${(first?.path ?? '').replace(/\//g, '.')}`, first?.message.toLowerCase() ?? 'is invalid')
}

/** Splits a validated sink body into its public config, its secrets and the generated signing secret. */
function splitConfig(input: SinkBody): { config: Record<string, unknown>; secrets: Secrets | null; generatedSecret?: string } {
  switch (input.sinkType) {
    case 'webhook': {
      const config = checked(checkWebhook, input.config ?? {}, 'body.config')
      let url: URL
      try {
        url = new URL(config.url)
      } catch {
        throw invalid('body.config.url', 'is not a valid URL')
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw invalid('body.config.url', 'must use http or https')
      }
      const secrets: Secrets = {}
      if (url.username || url.password) {
        secrets.urlCredentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
        url.username = ''
        url.password = ''
      }
      const generatedSecret = config.secret === undefined ? `whsec_${randomToken(32)}` : undefined
      secrets.secret = config.secret ?? generatedSecret
      if (config.headers) {
        secrets.headers = config.headers
      }
      return {
        config: { url: url.toString(), maxRetries: config.maxRetries ?? 5, timeoutMs: config.timeoutMs ?? 10_000, headerNames: Object.keys(config.headers ?? {}) },
        secrets,
        ...(generatedSecret !== undefined && { generatedSecret }),
      }
    }
    case 'postgresql': {
      const { password, ...config } = checked(checkPostgres, input.config ?? {}, 'body.config')
      return { config: { port: 5432, sslMode: 'prefer', schema: 'public', ...config }, secrets: password === undefined ? null : { password } }
    }
    case 'pipeline':
      if (input.config && Object.keys(input.config).length > 0) {
        throw invalid('body.config', 'must be empty for a pipeline sink')
      }
      return { config: {}, secrets: null }
  }
}

function secretFieldsOf(row: SinkRow, box: SecretBox): string[] {
  if (!row.sink_config_encrypted) {
    return []
  }
  return Object.keys(JSON.parse(box.decrypt(row.sink_config_encrypted, aad(row.id))) as Secrets).sort()
}

export function toSinkResponse(row: SinkRow, box: SecretBox, pendingDeliveries = 0): SinkResponse {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    sinkType: row.sink_type === 'webhook' || row.sink_type === 'postgresql' ? row.sink_type : 'pipeline',
    name: row.name,
    isActive: row.is_active,
    config: row.sink_config !== null && typeof row.sink_config === 'object' && !Array.isArray(row.sink_config) ? (row.sink_config as Record<string, unknown>) : {},
    secretFields: secretFieldsOf(row, box),
    targetPipelineId: row.target_pipeline_id,
    delivery: toSinkDeliveryState(row, pendingDeliveries),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

/**
 * The whole configuration of a sink, secrets included, for the code that delivers to it
 * (a webhook sink's URL gets its credentials back). Never send this to a client.
 */
export function decryptSinkConfig(row: SinkRow, box: SecretBox): FullSinkConfig {
  const config = { ...(row.sink_config as Record<string, unknown>) }
  const secrets = row.sink_config_encrypted ? (JSON.parse(box.decrypt(row.sink_config_encrypted, aad(row.id))) as Secrets) : {}
  if (row.sink_type === 'webhook') {
    const url = new URL(String(config.url))
    const credentials = secrets.urlCredentials as { username: string; password: string } | undefined
    if (credentials) {
      url.username = encodeURIComponent(credentials.username)
      url.password = encodeURIComponent(credentials.password)
    }
    const { headerNames: _names, ...rest } = config
    return { ...rest, url: url.toString(), secret: String(secrets.secret), headers: (secrets.headers as Record<string, string> | undefined) ?? {} } as WebhookSinkConfig
  }
  return { ...config, ...secrets } as FullSinkConfig
}

export async function listSinks(db: Db, box: SecretBox, actor: OrgActor, pipelineId: string): Promise<SinkResponse[]> {
  if (!(await pipelineInOrg(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  const pending = await pendingDeliveriesBySink(db, actor.orgId, pipelineId)
  return (await listSinkRows(db, actor.orgId, pipelineId)).map((row) => toSinkResponse(row, box, pending.get(row.id) ?? 0))
}

/** Adds a sink to a pipeline of the actor's organization (the route checks the role). */
export async function createSink(db: Db, box: SecretBox, actor: OrgActor, pipelineId: string, input: SinkBody): Promise<CreatedSinkResponse> {
  if (!(await pipelineInOrg(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  if (input.sinkType === 'pipeline') {
    if (!input.targetPipelineId) {
      throw invalid('body.targetPipelineId', 'is required for a pipeline sink')
    }
    if (input.targetPipelineId === pipelineId) {
      throw invalid('body.targetPipelineId', 'must be another pipeline')
    }
    if (!(await pipelineInOrg(db, actor.orgId, input.targetPipelineId))) {
      throw invalid('body.targetPipelineId', 'is not a pipeline of this organization')
    }
  } else if (input.targetPipelineId !== undefined) {
    throw invalid('body.targetPipelineId', 'is only for pipeline sinks')
  }
  const { config, secrets, generatedSecret } = splitConfig(input)
  const id = randomUUID()
  await insertSink(db, {
    id,
    organization_id: actor.orgId,
    pipeline_id: pipelineId,
    sink_type: input.sinkType,
    name: input.name ?? null,
    is_active: input.isActive ?? true,
    sink_config: JSON.stringify(config),
    sink_config_encrypted: secrets ? box.encrypt(JSON.stringify(secrets), aad(id)) : null,
    target_pipeline_id: input.sinkType === 'pipeline' ? (input.targetPipelineId ?? null) : null,
  })
  const row = await findSink(db, actor.orgId, pipelineId, id)
  if (!row) {
    throw new Error('the new sink is not visible')
  }
  return { ...toSinkResponse(row, box), ...(generatedSecret !== undefined && { signingSecret: generatedSecret }) }
}

export async function deleteSink(db: Db, actor: OrgActor, pipelineId: string, sinkId: string): Promise<void> {
  if (!(await deleteSinkRow(db, actor.orgId, pipelineId, sinkId))) {
    throw notFound('sink')
  }
}
