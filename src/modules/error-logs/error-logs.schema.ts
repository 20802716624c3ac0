import { Type, type Static } from '@sinclair/typebox'

const NullableString = (options: Parameters<typeof Type.String>[0] = {}) => Type.Union([Type.String(options), Type.Null()])

export const ERROR_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const
export const ERROR_SORTS = ['last_occurrence', 'occurrence_count'] as const

export const ErrorListQuery = Type.Object(
  {
    resolved: Type.Optional(Type.Boolean({ description: 'true: resolved groups only; false: open ones only; absent: both' })),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'authentication, database, external_api, validation, timeout, job or internal' })),
    level: Type.Optional(Type.Union(ERROR_LEVELS.map((level) => Type.Literal(level)))),
    q: Type.Optional(Type.String({ maxLength: 200, description: "Full-text search over the message (English stemming, web search syntax: words, \"a phrase\", -excluded)" })),
    sort: Type.Union(ERROR_SORTS.map((sort) => Type.Literal(sort)), { default: 'last_occurrence', description: 'Most recent first, or most frequent first' }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 300, description: 'nextCursor of the previous page (with the same sort)' })),
  },
  { additionalProperties: false },
)
export type ErrorListQuery = Static<typeof ErrorListQuery>

export const ErrorGroupSummary = Type.Object({
  id: Type.String({ description: 'bigint as a string' }),
  organizationId: NullableString({ format: 'uuid', description: "null: the instance's own error (no organization)" }),
  organizationName: NullableString(),
  level: Type.String(),
  message: Type.String({ description: 'The latest occurrence’s message' }),
  errorCode: NullableString(),
  category: NullableString(),
  severity: Type.Union([Type.Integer(), Type.Null()], { description: '1 (minor) to 5 (critical)' }),
  impactLevel: NullableString(),
  source: NullableString({ description: 'http (a request answered 5xx) or job (a failed worker job)' }),
  where: NullableString({ description: 'Route (METHOD /template) or job name of the latest occurrence' }),
  occurrenceCount: Type.Integer(),
  firstOccurrence: Type.String({ format: 'date-time' }),
  lastOccurrence: Type.String({ format: 'date-time' }),
  resolved: Type.Boolean(),
  resolvedAt: NullableString({ format: 'date-time' }),
  reopenedCount: Type.Integer({ description: 'How often the group came back after being resolved' }),
  environment: NullableString(),
  serviceVersion: NullableString(),
})
export type ErrorGroupSummary = Static<typeof ErrorGroupSummary>

export const ErrorGroupDetail = Type.Composite([
  ErrorGroupSummary,
  Type.Object({
    fingerprint: NullableString(),
    stackTrace: NullableString({ description: 'The latest occurrence’s stack; null on organization routes (it names server files)' }),
    context: Type.Unknown({ description: 'Where the latest occurrence happened (route, method, request id, job name…), secrets redacted; resolutionHistory lists resolutions that a later occurrence undid' }),
    toolContext: Type.Unknown(),
    requestId: NullableString(),
    executionId: NullableString(),
    sessionId: NullableString(),
    userId: NullableString({ format: 'uuid' }),
    resolvedBy: NullableString({ format: 'uuid' }),
    resolvedByEmail: NullableString(),
    resolutionNotes: NullableString(),
  }),
])
export type ErrorGroupDetail = Static<typeof ErrorGroupDetail>

export const ErrorListResponse = Type.Object({
  errors: Type.Array(ErrorGroupSummary),
  nextCursor: NullableString({ description: 'Pass as `cursor` for the next page; null on the last page' }),
})

export const ErrorIdParams = Type.Object({ errorId: Type.String({ pattern: '^[0-9]{1,18}$', description: 'The group id' }) })
export const OrgErrorParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) })
export const OrgErrorIdParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), errorId: Type.String({ pattern: '^[0-9]{1,18}$' }) })

export const ResolveBody = Type.Object(
  { notes: Type.String({ minLength: 1, maxLength: 2000, description: 'What fixed it, or why it needs no fix' }) },
  { additionalProperties: false },
)
