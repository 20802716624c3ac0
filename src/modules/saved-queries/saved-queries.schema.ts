import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const QueryParams = Type.Object({ orgId: Type.String(), queryId: Uuid })

export const ParameterType = Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('date'), Type.Literal('list')])

const Scalar = Type.Union([Type.String({ maxLength: 10_000 }), Type.Number()])

export const ParameterDefinition = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$', description: 'Written {{name}} in the query text' }),
    type: ParameterType,
    default: Type.Optional(Nullable(Type.Union([Scalar, Type.Array(Scalar, { maxItems: 1000 })]))),
    required: Type.Optional(Type.Boolean({ description: 'A run without a value (and no default) is refused; default false' })),
    label: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
)
export type ParameterDefinition = Static<typeof ParameterDefinition>

/** Values of a run, by parameter name: a string or number, a date as YYYY-MM-DD or ISO 8601, a list as an array. */
export const RunValues = Type.Record(Type.String(), Type.Union([Type.Null(), Scalar, Type.Array(Scalar, { maxItems: 1000 })]))
export type RunValues = Static<typeof RunValues>

const queryFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Nullable(Type.String({ maxLength: 10_000 })),
  dataSourceId: Uuid,
  queryText: Type.String({ minLength: 1, maxLength: 100_000, description: 'One read-only statement (SELECT / WITH / VALUES); parameters as {{name}}' }),
  parameters: Type.Array(ParameterDefinition, { maxItems: 50 }),
  cacheDuration: Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds a result is served from the cache (0: never cached)' }),
  rowLimit: Type.Integer({ minimum: 1, maximum: 100_000 }),
  timeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, description: 'Statement timeout on the source' }),
}

export const CreateQueryBody = Type.Object(
  {
    name: queryFields.name,
    description: Type.Optional(queryFields.description),
    dataSourceId: queryFields.dataSourceId,
    queryText: queryFields.queryText,
    parameters: Type.Optional(queryFields.parameters),
    cacheDuration: Type.Optional(queryFields.cacheDuration),
    rowLimit: Type.Optional(queryFields.rowLimit),
    timeoutMs: Type.Optional(queryFields.timeoutMs),
  },
  { additionalProperties: false },
)
export type CreateQueryBody = Static<typeof CreateQueryBody>

export const UpdateQueryBody = Type.Partial(Type.Object(queryFields), { additionalProperties: false, minProperties: 1 })
export type UpdateQueryBody = Static<typeof UpdateQueryBody>

export const Column = Type.Object({ name: Type.String(), type: Type.String() })

export const QueryResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  dataSourceId: Uuid,
  queryText: Type.String(),
  parameters: Type.Array(ParameterDefinition),
  resultColumns: Type.Array(Column, { description: 'Columns of the last successful run' }),
  cacheDuration: Type.Integer(),
  rowLimit: Type.Integer(),
  timeoutMs: Type.Integer(),
  lastRunAt: Nullable(DateTime),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type QueryResponse = Static<typeof QueryResponse>

export const RunQueryBody = Type.Object({ params: Type.Optional(RunValues) }, { additionalProperties: false })
export type RunQueryBody = Static<typeof RunQueryBody>

export const PreviewQueryBody = Type.Object(
  {
    dataSourceId: Uuid,
    queryText: queryFields.queryText,
    parameters: Type.Optional(queryFields.parameters),
    params: Type.Optional(RunValues),
    rowLimit: Type.Optional(queryFields.rowLimit),
    timeoutMs: Type.Optional(queryFields.timeoutMs),
  },
  { additionalProperties: false },
)
export type PreviewQueryBody = Static<typeof PreviewQueryBody>

export const RunResult = Type.Object({
  columns: Type.Array(Column),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  rowCount: Type.Integer(),
  truncated: Type.Boolean({ description: 'More rows than rowLimit: only the first rowLimit are returned' }),
  durationMs: Type.Integer(),
  cached: Type.Boolean(),
  asOf: DateTime,
})
export type RunResult = Static<typeof RunResult>
