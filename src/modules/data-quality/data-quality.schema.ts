import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const CheckType = Type.Union([Type.Literal('completeness'), Type.Literal('accuracy'), Type.Literal('consistency'), Type.Literal('freshness')])
export type CheckType = Static<typeof CheckType>
export const OnFailure = Type.Union([Type.Literal('warn'), Type.Literal('pause')])
export type OnFailure = Static<typeof OnFailure>

/** A field of a stored row; `a.b` reaches into nested objects (a key holding a dot is matched whole first). */
const FieldName = Type.String({ minLength: 1, maxLength: 255 })

// The four check configurations. The API takes `config` as an object and the service checks it
// against the one of its checkType (see data-quality.config.ts), so a mistake names its field.
export const CompletenessConfig = Type.Object(
  { fields: Type.Array(FieldName, { minItems: 1, maxItems: 100, uniqueItems: true, description: 'Each must be present and not null' }) },
  { additionalProperties: false },
)
export type CompletenessConfig = Static<typeof CompletenessConfig>

export const AccuracyConfig = Type.Object(
  {
    field: FieldName,
    min: Type.Optional(Type.Number({ description: 'The value must be a number ≥ min' })),
    max: Type.Optional(Type.Number({ description: 'The value must be a number ≤ max' })),
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A regular expression a string value must match (no back-references or nested repetition)' })),
    allowed: Type.Optional(Type.Array(Type.Union([Type.Null(), Type.String(), Type.Number(), Type.Boolean()]), { minItems: 1, maxItems: 1000, description: 'The value must be one of these' })),
  },
  { additionalProperties: false },
)
export type AccuracyConfig = Static<typeof AccuracyConfig>

export const ValueType = Type.Union([
  Type.Literal('string'),
  Type.Literal('number'),
  Type.Literal('integer'),
  Type.Literal('boolean'),
  Type.Literal('timestamp'),
  Type.Literal('object'),
  Type.Literal('array'),
  Type.Literal('json'),
])
export type ValueType = Static<typeof ValueType>

export const ConsistencyConfig = Type.Object(
  {
    fields: Type.Optional(Type.Record(FieldName, ValueType, { description: 'field → expected type; without it, the types of the pipeline mapping' })),
    useMapping: Type.Optional(Type.Boolean({ description: "Check the types of the pipeline's mapping (the default when `fields` is absent)" })),
  },
  { additionalProperties: false },
)
export type ConsistencyConfig = Static<typeof ConsistencyConfig>

export const FreshnessConfig = Type.Object(
  { maxAgeMinutes: Type.Integer({ minimum: 1, maximum: 525_600, description: 'Fails when the pipeline received no records for this long' }) },
  { additionalProperties: false },
)
export type FreshnessConfig = Static<typeof FreshnessConfig>

export type CheckConfig = CompletenessConfig | AccuracyConfig | ConsistencyConfig | FreshnessConfig

const CONFIG_DESCRIPTION =
  'By checkType: completeness { fields: string[] }; accuracy { field, min?, max?, pattern?, allowed? }; ' +
  "consistency { fields?: { name: 'string'|'number'|'integer'|'boolean'|'timestamp'|'object'|'array'|'json' }, useMapping? } " +
  "(without fields: the pipeline mapping's types); freshness { maxAgeMinutes }."

export const QualityCheckParams = Type.Object({ orgId: Type.String(), pipelineId: Uuid, checkId: Uuid })

export const CreateCheckBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    checkType: CheckType,
    config: Type.Record(Type.String(), Type.Unknown(), { description: CONFIG_DESCRIPTION }),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    onFailure: Type.Optional(Type.Union([Type.Literal('warn'), Type.Literal('pause')], { default: 'warn', description: 'pause: a failure pauses the pipeline; warn: only recorded' })),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'Least share of the checked rows of a batch that must pass' })),
  },
  { additionalProperties: false },
)
export type CreateCheckBody = Static<typeof CreateCheckBody>

export const UpdateCheckBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: CONFIG_DESCRIPTION })),
    enabled: Type.Optional(Type.Boolean()),
    onFailure: Type.Optional(OnFailure),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateCheckBody = Static<typeof UpdateCheckBody>

const ResultDetails = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'Batch checks: rows, checked, passedRows, failedRows, skipped (no value to judge), passRatio, threshold and up to 10 failures ' +
    '{ index, field?, reason, value? }. Freshness: lastDataAt, ageMinutes, maxAgeMinutes.',
})

export const CheckResponse = Type.Object({
  id: Uuid,
  pipelineId: Uuid,
  dataSourceId: Nullable(Uuid),
  name: Type.String(),
  checkType: CheckType,
  config: Type.Record(Type.String(), Type.Unknown()),
  enabled: Type.Boolean(),
  onFailure: OnFailure,
  threshold: Type.Number(),
  passed: Nullable(Type.Boolean({ description: 'The latest result; null before the first evaluation' })),
  result: Nullable(ResultDetails),
  executedAt: Nullable(DateTime),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type CheckResponse = Static<typeof CheckResponse>

export const Trigger = Type.Union([Type.Literal('batch'), Type.Literal('run'), Type.Literal('schedule'), Type.Literal('manual')], {
  description: 'batch: an ingested batch; run: a pipeline run; schedule: the freshness job; manual: POST …/run',
})

export const ResultResponse = Type.Object({
  id: Uuid,
  checkId: Uuid,
  trigger: Trigger,
  passed: Type.Boolean(),
  result: ResultDetails,
  executionId: Nullable(Uuid),
  ingestionJobId: Nullable(Uuid),
  executedAt: DateTime,
})
export type ResultResponse = Static<typeof ResultResponse>

export const ResultsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }, { additionalProperties: false })
export type ResultsQuery = Static<typeof ResultsQuery>

export const RunCheckQuery = Type.Object(
  { sampleSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000, description: 'How many of the newest stored rows a batch check evaluates' })) },
  { additionalProperties: false },
)
export type RunCheckQuery = Static<typeof RunCheckQuery>

/** One check's verdict on a pushed batch, in the ingest API's answer. */
export const BatchQualityOutcome = Type.Object({
  checkId: Uuid,
  name: Type.String(),
  checkType: CheckType,
  passed: Type.Boolean(),
  passRatio: Type.Number(),
  onFailure: OnFailure,
})
export type BatchQualityOutcome = Static<typeof BatchQualityOutcome>
