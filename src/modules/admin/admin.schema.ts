import { Type, type Static } from '@sinclair/typebox'

const NullableString = (options: Parameters<typeof Type.String>[0] = {}) => Type.Union([Type.String(options), Type.Null()])

export const UserStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('deleted')])

export const AdminUserResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  firstName: NullableString(),
  lastName: NullableString(),
  status: Type.String({ description: 'active, suspended or deleted' }),
  emailVerified: Type.Boolean(),
  twoFactorEnabled: Type.Boolean(),
  isInstanceAdmin: Type.Boolean(),
  activeSessions: Type.Integer({ description: 'Sessions that are active and not expired' }),
  lockedUntil: NullableString({ format: 'date-time' }),
  lastLoginAt: NullableString({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
})
export type AdminUserResponse = Static<typeof AdminUserResponse>

export const ListUsersQuery = Type.Object(
  {
    query: Type.Optional(Type.String({ maxLength: 200, description: 'Matches email and names (case-insensitive substring)' })),
    status: Type.Optional(UserStatus),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
)
export type ListUsersQuery = Static<typeof ListUsersQuery>

export const UserListResponse = Type.Object({
  users: Type.Array(AdminUserResponse),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
})

export const UserIdParams = Type.Object({ userId: Type.String({ format: 'uuid' }) })

export const UpdateUserBody = Type.Object(
  { status: Type.Union([Type.Literal('active'), Type.Literal('suspended')], { description: 'suspended signs the user out everywhere at once' }) },
  { additionalProperties: false },
)
export type UpdateUserBody = Static<typeof UpdateUserBody>

export const MailMessageResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  to: Type.String(),
  subject: Type.String(),
  bodyText: Type.String(),
  template: Type.String(),
  status: Type.String({ description: 'pending, sent, failed or held' }),
  attempts: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: NullableString({ format: 'date-time' }),
  lastError: NullableString(),
})
export type MailMessageResponse = Static<typeof MailMessageResponse>

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
)
export type PageQuery = Static<typeof PageQuery>

export const MailOutboxResponse = Type.Object({
  messages: Type.Array(MailMessageResponse),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
})
