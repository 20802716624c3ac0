import { Type, type Static } from '@sinclair/typebox'
import { Password, UserResponse } from '../auth/auth.schema.ts'

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])
const JsonObject = Type.Object({}, { additionalProperties: true, maxProperties: 100 })

export const Preferences = Type.Object({
  ui: JsonObject,
  notifications: JsonObject,
})

export const OrganizationMembership = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  role: Type.String({ description: 'owner, admin, member or viewer' }),
  status: Type.String({ description: 'Membership status: active or pending' }),
  organizationStatus: Type.String({ description: 'active, trial or suspended' }),
})

export const MeResponse = Type.Object({
  user: UserResponse,
  preferences: Preferences,
  organizations: Type.Array(OrganizationMembership),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'Send as X-CSRF-Token on state-changing requests; null for API keys' }),
})
export type MeResponse = Static<typeof MeResponse>

export const ProfileResponse = Type.Object({ user: UserResponse, preferences: Preferences })
export type ProfileResponse = Static<typeof ProfileResponse>

export const UpdateProfileBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
    firstName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    lastName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    avatarUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000, pattern: '^https?://', description: 'An http(s) URL' }))),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'IANA time zone, e.g. Europe/Berlin' })),
    locale: Type.Optional(Type.String({ pattern: '^[a-zA-Z]{2,3}(?:[_-][a-zA-Z0-9]{2,4})?$', maxLength: 10, description: 'e.g. en_US or de' })),
    uiPreferences: Type.Optional(JsonObject),
    notificationPreferences: Type.Optional(JsonObject),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateProfileBody = Static<typeof UpdateProfileBody>

export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false })
export type ChangePasswordBody = Static<typeof ChangePasswordBody>

export const CsrfResponse = Type.Object({ csrfToken: Type.String() })

export const SessionResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  current: Type.Boolean(),
  mfaVerified: Type.Boolean({ description: 'false for a session still waiting for its two-factor code' }),
  device: Type.Union([Type.String(), Type.Null()], { description: 'desktop, mobile, tablet, …' }),
  browser: Type.Union([Type.String(), Type.Null()]),
  os: Type.Union([Type.String(), Type.Null()]),
  ipAddress: Type.Union([Type.String(), Type.Null()]),
  loginMethod: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastActivityAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time', description: 'The earlier of the idle and the absolute expiry' }),
})
export type SessionResponse = Static<typeof SessionResponse>

export const SessionListResponse = Type.Object({ sessions: Type.Array(SessionResponse) })

export const SessionParams = Type.Object({ sessionId: Type.String({ format: 'uuid' }) })

export const CodeBody = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 32, description: '6-digit authenticator code (or a backup code where accepted)' }) },
  { additionalProperties: false },
)
export type CodeBody = Static<typeof CodeBody>

export const DisableTwoFactorBody = Type.Object(
  { password: Password, code: Type.String({ minLength: 6, maxLength: 32, description: 'Authenticator code or a backup code' }) },
  { additionalProperties: false },
)
export type DisableTwoFactorBody = Static<typeof DisableTwoFactorBody>

export const TwoFactorSetupResponse = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for manual entry' }),
  otpauthUrl: Type.String(),
  qrCodeDataUrl: Type.String({ description: 'PNG data: URL of the otpauth QR code' }),
})

export const BackupCodesResponse = Type.Object({
  backupCodes: Type.Array(Type.String(), { description: 'Shown once; each works once' }),
})
