import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { SinkDeliveryState } from '../sinks/deliveries.schema.ts'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])
const JsonObject = Type.Record(Type.String(), Type.Unknown())

export const PipelineParams = Type.Object({ orgId: Type.String(), pipelineId: Uuid })
export const SinkParams = Type.Object({ orgId: Type.String(), pipelineId: Uuid, sinkId: Uuid })

export const PipelineType = Type.Union([Type.Literal('polling'), Type.Literal('realtime'), Type.Literal('p2p')])
export const PipelineStatus = Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('error')])
export const SinkType = Type.Union([Type.Literal('webhook'), Type.Literal('postgresql'), Type.Literal('pipeline')])

/**
 * The data mapping (see src/modules/mappings). The shape is checked loosely here and fully by
 * validateMappingSpec, which answers 400 invalid_mapping with the offending field.
 */
export const MappingSpecBody = Type.Object(
  {
    sourceSchema: Type.Optional(Type.Unknown({ description: 'The expected shape of incoming records (JSON Schema or an example), kept for the editor' })),
    mappings: Type.Array(Type.Unknown(), { description: 'Field mappings: { path (JSONPath), field, type, required?, onCastError?, default? }', maxItems: 1000 }),
    transformations: Type.Optional(Type.Array(Type.Unknown(), { description: 'rename / cast / default / compute / filter steps, in order', maxItems: 1000 })),
    timestampField: Type.Optional(Nullable(Type.String({ maxLength: 255, description: 'Output field holding the record time; else the ingestion time' }))),
  },
  { additionalProperties: false },
)
export type MappingSpecBody = Static<typeof MappingSpecBody>

export const MappingResponse = Type.Object({
  sourceSchema: Type.Unknown(),
  mappings: Type.Array(Type.Unknown()),
  transformations: Type.Array(Type.Unknown()),
  timestampField: Nullable(Type.String()),
  version: Type.Integer(),
  updatedAt: DateTime,
})
export type MappingResponse = Static<typeof MappingResponse>

export const SinkBody = Type.Object(
  {
    sinkType: SinkType,
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
    isActive: Type.Optional(Type.Boolean()),
    config: Type.Optional(JsonObject),
    targetPipelineId: Type.Optional(Uuid),
  },
  {
    additionalProperties: false,
    description:
      'webhook: config { url, secret? (HMAC-SHA256 signing secret; generated and returned once when omitted), headers?, maxRetries?, timeoutMs? }. ' +
      'postgresql: config { host, port?, database, user, password?, sslMode?, schema?, table } (record keys fill the columns of the same name). ' +
      'pipeline: targetPipelineId, another pipeline of this organization; records are stored there as they come (its mapping is not applied). ' +
      'Secrets (the signing secret, headers, credentials in the URL, the password) are encrypted at rest and never returned.',
  },
)
export type SinkBody = Static<typeof SinkBody>

export const SinkResponse = Type.Object({
  id: Uuid,
  pipelineId: Uuid,
  sinkType: SinkType,
  name: Nullable(Type.String()),
  isActive: Type.Boolean(),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'The non-secret part of the configuration' }),
  secretFields: Type.Array(Type.String(), { description: 'Names of the secret settings that are stored (encrypted, never returned)' }),
  targetPipelineId: Nullable(Uuid),
  delivery: SinkDeliveryState,
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type SinkResponse = Static<typeof SinkResponse>

export const CreatedSinkResponse = Type.Composite([
  SinkResponse,
  Type.Object({ signingSecret: Type.Optional(Type.String({ description: 'The generated HMAC secret of a webhook sink; shown once' })) }),
])
export type CreatedSinkResponse = Static<typeof CreatedSinkResponse>

// A type list, not a union: with type coercion on, ajv would turn a refused 0 into null.
const CompressAfterDays = Type.Unsafe<number | null>({
  type: ['integer', 'null'],
  minimum: 1,
  maximum: 3650,
  description: 'Days after which stored rows are compressed (ingest:compress); null: the default, 7',
})

export const CreatePipelineBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    type: PipelineType,
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    intervalSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 31_536_000 }))),
    cronSchedule: Type.Optional(Nullable(Type.String({ minLength: 9, maxLength: 100, description: 'Five-field cron expression (minute hour day month weekday)' }))),
    dataSourceId: Type.Optional(Nullable(Uuid)),
    sourceType: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
    sourceConfig: Type.Optional(JsonObject),
    retentionDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 36_500 }))),
    compressAfterDays: Type.Optional(CompressAfterDays),
    persistData: Type.Optional(Type.Boolean({ description: 'Ignored for p2p pipelines, which never store data' })),
    teamId: Type.Optional(Nullable(Uuid)),
    mapping: Type.Optional(Nullable(MappingSpecBody)),
    sinks: Type.Optional(Type.Array(SinkBody, { maxItems: 20 })),
  },
  { additionalProperties: false },
)
/** compressAfterDays as unknown: the route's type provider reads Type.Unsafe as unknown; Ajv has checked it (an integer or null). */
type WithLooseDays<T> = Omit<T, 'compressAfterDays'> & { compressAfterDays?: unknown }
export type CreatePipelineBody = WithLooseDays<Static<typeof CreatePipelineBody>>

export const UpdatePipelineBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    intervalSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 31_536_000 }))),
    cronSchedule: Type.Optional(Nullable(Type.String({ minLength: 9, maxLength: 100 }))),
    dataSourceId: Type.Optional(Nullable(Uuid)),
    sourceType: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
    sourceConfig: Type.Optional(JsonObject),
    retentionDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 36_500 }))),
    compressAfterDays: Type.Optional(CompressAfterDays),
    persistData: Type.Optional(Type.Boolean()),
    teamId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdatePipelineBody = WithLooseDays<Static<typeof UpdatePipelineBody>>

export const PauseBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false })
export type PauseBody = Static<typeof PauseBody>

export const PipelineResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  type: PipelineType,
  status: PipelineStatus,
  statusReason: Nullable(Type.String()),
  intervalSeconds: Nullable(Type.Integer()),
  cronSchedule: Nullable(Type.String()),
  dataSourceId: Nullable(Uuid),
  sourceType: Nullable(Type.String()),
  sourceConfig: Type.Record(Type.String(), Type.Unknown(), { description: 'Without its secrets' }),
  sourceConfigSecrets: Type.Array(Type.String(), { description: 'Names of the secret settings stored encrypted' }),
  retentionDays: Nullable(Type.Integer()),
  compressAfterDays: Nullable(Type.Integer()),
  persistData: Type.Boolean(),
  teamId: Nullable(Uuid),
  hasWebhook: Type.Boolean({ description: 'The pipeline has a webhook URL (its secret is shown once): realtime and p2p ones receive records, polling ones start runs' }),
  ingestUrl: Type.String({ description: 'POST records here with an API key of scope ingest' }),
  mapping: Nullable(MappingResponse),
  sinkCount: Type.Integer(),
  lastRunAt: Nullable(DateTime),
  nextRunAt: Nullable(DateTime),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type PipelineResponse = Static<typeof PipelineResponse>

export const CreatedPipelineResponse = Type.Composite([
  PipelineResponse,
  Type.Object({
    webhookUrl: Type.Optional(Type.String({ description: 'Realtime pipelines: the webhook URL with its secret; shown once' })),
    sinks: Type.Array(CreatedSinkResponse),
  }),
])
export type CreatedPipelineResponse = Static<typeof CreatedPipelineResponse>

export const WebhookSecretResponse = Type.Object({ webhookUrl: Type.String({ description: 'The new webhook URL; the previous one stops working' }) })

export const DataQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive; default: 24 hours before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive; default: now' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    timeField: Type.Optional(Type.Union([Type.Literal('ingestedAt'), Type.Literal('recordTime')], { default: 'ingestedAt' })),
  },
  { additionalProperties: false },
)
export type DataQuery = Static<typeof DataQuery>

export const DataRow = Type.Object({
  id: Type.String({ description: 'bigint as a string' }),
  data: Type.Unknown(),
  ingestedAt: DateTime,
  recordTime: DateTime,
})

export const DataResponse = Type.Object({
  rows: Type.Array(DataRow, { description: 'Newest first' }),
  from: DateTime,
  to: DateTime,
})
export type DataResponse = Static<typeof DataResponse>
