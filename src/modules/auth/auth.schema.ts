import { Type, type Static } from '@sinclair/typebox'

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 255, description: 'Email address (case-insensitive)' })
export const Password = Type.String({ minLength: 1, maxLength: 256 })

export const UserResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  lastName: Type.Union([Type.String(), Type.Null()]),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.String(),
  locale: Type.String(),
  status: Type.String(),
  emailVerified: Type.Boolean(),
  twoFactorEnabled: Type.Boolean(),
  isInstanceAdmin: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
})
export type UserResponse = Static<typeof UserResponse>

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    invitationToken: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type RegisterBody = Static<typeof RegisterBody>

export const SetupBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    setupToken: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type SetupBody = Static<typeof SetupBody>

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false })
export type LoginBody = Static<typeof LoginBody>

export const LoginResponse = Type.Object({
  user: Type.Optional(UserResponse),
  csrfToken: Type.Optional(Type.String()),
  mfaRequired: Type.Optional(Type.Boolean()),
})

export const MessageResponse = Type.Object({ status: Type.String(), message: Type.String() })

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
})
