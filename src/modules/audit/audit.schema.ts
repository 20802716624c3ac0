import { Type, type Static } from '@sinclair/typebox'

const NullableString = (options: Parameters<typeof Type.String>[0] = {}) => Type.Union([Type.String(options), Type.Null()])

export const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'User id or email address of who acted' })),
    resource: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Table name (app.organizations) or resource type (user)' })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'INSERT, UPDATE, DELETE, EVENT, or an event type such as login_failure' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Start (inclusive, ISO 8601 with time zone); default 30 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'End (exclusive, ISO 8601 with time zone); default now' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
)
export type AuditQuery = Static<typeof AuditQuery>

export const AuditEntryResponse = Type.Object({
  id: Type.String({ description: 'bigint as a string' }),
  createdAt: Type.String({ format: 'date-time' }),
  tableName: Type.String(),
  recordId: NullableString(),
  action: Type.String({ description: 'INSERT, UPDATE, DELETE or EVENT' }),
  eventType: Type.String(),
  eventCategory: Type.String(),
  severity: Type.String(),
  userId: NullableString({ format: 'uuid' }),
  userEmail: NullableString({ description: 'From the event, or the user when visible to the caller' }),
  organizationId: NullableString({ format: 'uuid' }),
  ipAddress: NullableString(),
  changedFields: Type.Union([Type.Array(Type.String()), Type.Null()]),
  oldValues: Type.Unknown({ description: 'Row before the change (secrets removed), or null' }),
  newValues: Type.Unknown({ description: 'Row after the change (secrets removed), or null' }),
  eventDetails: Type.Unknown(),
  requestId: NullableString(),
})
export type AuditEntryResponse = Static<typeof AuditEntryResponse>

export const AuditPageResponse = Type.Object({
  entries: Type.Array(AuditEntryResponse),
  nextCursor: NullableString({ description: 'Pass as `cursor` for the next (older) page; null on the last page' }),
  from: Type.String({ format: 'date-time', description: 'The time window applied' }),
  to: Type.String({ format: 'date-time' }),
})

export const OrgIdParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) })
