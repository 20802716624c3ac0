import { Type, type Static } from '@sinclair/typebox'

const NullableString = (options: Parameters<typeof Type.String>[0] = {}) => Type.Union([Type.String(options), Type.Null()])
const NullableInteger = () => Type.Union([Type.Integer(), Type.Null()])
const Uuid = { pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }

export const RequestLogQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Start (inclusive, ISO 8601 with time zone); default 7 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'End (exclusive, ISO 8601 with time zone); default now' })),
    status: Type.Optional(Type.Union([Type.Literal('2xx'), Type.Literal('3xx'), Type.Literal('4xx'), Type.Literal('5xx')], { description: 'Status class' })),
    route: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Route template, e.g. /api/v1/orgs/:orgId/dashboards' })),
    userId: Type.Optional(Type.String({ ...Uuid, description: 'Only requests of this user' })),
    organizationId: Type.Optional(Type.String({ ...Uuid, description: 'Only requests attributed to this organization' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
)
export type RequestLogQuery = Static<typeof RequestLogQuery>

export const RequestLogResponse = Type.Object({
  id: Type.String({ description: 'bigint as a string' }),
  requestId: Type.String(),
  timestamp: Type.String({ format: 'date-time', description: 'When the request arrived' }),
  method: Type.String(),
  route: NullableString({ description: 'Path template; null for a path no route matched' }),
  path: Type.String({ description: 'The path, secrets in path parameters redacted' }),
  status: Type.Integer(),
  success: Type.Boolean(),
  errorType: NullableString(),
  durationMs: Type.Integer(),
  queueTimeMs: NullableInteger(),
  processingTimeMs: NullableInteger(),
  responseSizeBytes: NullableInteger(),
  userId: NullableString({ format: 'uuid' }),
  userEmail: NullableString(),
  organizationId: NullableString({ format: 'uuid' }),
  organizationName: NullableString(),
  sessionId: NullableString(),
  ipAddress: NullableString(),
  userAgent: NullableString(),
  clientVersion: NullableString(),
  correlationId: NullableString(),
  traceId: NullableString(),
  spanId: NullableString(),
  queryParams: Type.Unknown({ description: 'Redacted, cut to the configured size' }),
  requestHeaders: Type.Unknown({ description: 'Redacted (Authorization, cookies, tokens…)' }),
  requestBody: Type.Unknown({ description: 'Redacted, cut to analytics.request_body_max_bytes' }),
  responseData: Type.Unknown({ description: 'The error body of a failed request, or null' }),
  responseHeaders: Type.Unknown(),
})
export type RequestLogResponse = Static<typeof RequestLogResponse>

export const RequestLogPageResponse = Type.Object({
  requests: Type.Array(RequestLogResponse),
  nextCursor: NullableString({ description: 'Pass as `cursor` for the next (older) page; null on the last page' }),
  from: Type.String({ format: 'date-time', description: 'The time window applied' }),
  to: Type.String({ format: 'date-time' }),
})
