import { Type, type Static } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([Type.Null(), schema])

export const DataSourceParams = Type.Object({ orgId: Type.String(), dataSourceId: Uuid })

export const DataSourceTypeSchema = Type.Union(
  [Type.Literal('postgresql'), Type.Literal('mysql'), Type.Literal('api'), Type.Literal('csv'), Type.Literal('push'), Type.Literal('mongodb'), Type.Literal('bigquery')],
  { description: 'csv sources are created by upload (POST …/data-sources/csv); mongodb and bigquery are not supported yet' },
)

const CONFIG_DESCRIPTION =
  'Per type, only these keys (anything else → 400 validation_failed naming the key). ' +
  'postgresql/mysql: {host, port?, database, user, password?, sslMode?: disable|prefer|require|verify-full}. ' +
  'api: {url, method?: GET|POST, headers?, body? (POST), auth?: {type: none} | {type: bearer, token} | {type: basic, username, password} | ' +
  '{type: apiKey, in: header|query, name, value}, pagination?: {type: none} | {type: page, param, sizeParam?, size, maxPages, startPage?} | ' +
  '{type: offset, param, limitParam, limit, maxPages} | {type: cursor, param, cursorPath, maxPages}, recordsPath?}. push: {}. ' +
  'Secrets (password, token, apiKey value, sensitive header values) are stored encrypted and come back as "********"; ' +
  'on PATCH, a secret omitted or sent as "********" keeps its stored value.'

export const CreateDataSourceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    type: Type.Union([Type.Literal('postgresql'), Type.Literal('mysql'), Type.Literal('api'), Type.Literal('push')]),
    config: Type.Optional(Type.Unknown({ description: CONFIG_DESCRIPTION })),
  },
  { additionalProperties: false },
)
export type CreateDataSourceBody = Static<typeof CreateDataSourceBody>

export const UpdateDataSourceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    config: Type.Optional(Type.Unknown({ description: `The whole config of the source's type. ${CONFIG_DESCRIPTION}` })),
  },
  { additionalProperties: false },
)
export type UpdateDataSourceBody = Static<typeof UpdateDataSourceBody>

export const DataSourceFileResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  rowCount: Type.Integer(),
  delimiter: Type.String(),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String({ description: 'integer, number, boolean, timestamp or string' }) })),
  createdAt: DateTime,
})
export type DataSourceFileResponse = Static<typeof DataSourceFileResponse>

export const DataSourceResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  type: DataSourceTypeSchema,
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'The connection settings, secrets masked as "********"' }),
  hasCredentials: Type.Boolean({ description: 'Whether encrypted secrets are stored (they are never returned)' }),
  healthStatus: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy'), Type.Literal('unknown')]),
  lastHealthCheck: Nullable(DateTime),
  lastHealthError: Nullable(Type.String()),
  schemaMetadata: Type.Unknown({
    description:
      'What discovery found: SQL {kind: "sql", tables: [{schema, name, type, columns: [{name, type, nullable}]}], truncated}; ' +
      'api {kind: "json", schema (JSON schema of a record), sampleSize}; csv {kind: "csv", columns: [{name, type}], rowCount}; ' +
      'plus discoveredAt, or {error, discoveredAt} when discovery failed',
  }),
  file: Nullable(DataSourceFileResponse),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type DataSourceResponse = Static<typeof DataSourceResponse>

export const TestResultResponse = Type.Union([
  Type.Object({ ok: Type.Literal(true), latencyMs: Type.Integer(), details: Type.Record(Type.String(), Type.Unknown()) }),
  Type.Object({ ok: Type.Literal(false), latencyMs: Type.Integer(), error: Type.String({ description: 'The exact failure' }) }),
])
export type TestResultResponse = Static<typeof TestResultResponse>

export const CsvUploadQuery = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Source name (default: the file name)' })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1, description: 'Detected from the header line when omitted' })),
  },
  { additionalProperties: false },
)
export type CsvUploadQuery = Static<typeof CsvUploadQuery>

export const CsvUploadResponse = Type.Composite([
  DataSourceResponse,
  Type.Object({ preview: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'The first rows, typed' }) }),
])
