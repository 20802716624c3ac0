import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Email } from '../auth/auth.schema.ts'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const OrgRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member'), Type.Literal('viewer')])
export const Slug = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$',
  description: 'Lowercase letters, digits and hyphens (not first or last), 1-100 characters; unique on the instance',
})

export const OrgParams = Type.Object({ orgId: Type.String({ description: 'Organization id (uuid)' }) })
export const MemberParams = Type.Object({ orgId: Type.String(), userId: Uuid })
export const InvitationParams = Type.Object({ orgId: Type.String(), invitationId: Uuid })
export const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) })

export const OrganizationResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  description: Nullable(Type.String()),
  logoUrl: Nullable(Type.String()),
  websiteUrl: Nullable(Type.String()),
  industry: Nullable(Type.String()),
  size: Nullable(Type.String()),
  billingEmail: Nullable(Type.String()),
  settings: Type.Record(Type.String(), Type.Unknown()),
  subscriptionTier: Type.String(),
  status: Type.String(),
  role: OrgRole,
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type OrganizationResponse = Static<typeof OrganizationResponse>

export const CreateOrganizationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    slug: Slug,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)
export type CreateOrganizationBody = Static<typeof CreateOrganizationBody>

const HttpUrl = Type.String({ maxLength: 2000, pattern: '^https?://' })
export const UpdateOrganizationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    logoUrl: Type.Optional(Nullable(HttpUrl)),
    websiteUrl: Type.Optional(Nullable(HttpUrl)),
    industry: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    size: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    billingEmail: Type.Optional(Nullable(Email)),
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Replaces the whole settings object' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateOrganizationBody = Static<typeof UpdateOrganizationBody>

export const MemberResponse = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: OrgRole,
  status: Type.String({ description: 'active | suspended | pending | removed' }),
  invitedAt: Nullable(DateTime),
  joinedAt: Nullable(DateTime),
})
export type MemberResponse = Static<typeof MemberResponse>

export const AddMemberBody = Type.Object({ email: Email, role: OrgRole }, { additionalProperties: false })
export type AddMemberBody = Static<typeof AddMemberBody>

export const UpdateMemberBody = Type.Object(
  {
    role: Type.Optional(OrgRole),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateMemberBody = Static<typeof UpdateMemberBody>

export const InvitationSummary = Type.Object({ id: Uuid, email: Type.String(), role: OrgRole, expiresAt: DateTime })

export const AddMemberResponse = Type.Union([
  Type.Object({ status: Type.Literal('added'), member: MemberResponse }),
  Type.Object({ status: Type.Literal('invited'), invitation: InvitationSummary }),
])
export type AddMemberResponse = Static<typeof AddMemberResponse>

export const InvitationResponse = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: OrgRole,
  status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')]),
  invitedBy: Nullable(Uuid),
  createdAt: DateTime,
  expiresAt: DateTime,
  acceptedAt: Nullable(DateTime),
  revokedAt: Nullable(DateTime),
})
export type InvitationResponse = Static<typeof InvitationResponse>

export const PublicInvitationResponse = Type.Object({
  organizationName: Type.String(),
  email: Type.String(),
  role: OrgRole,
  expiresAt: DateTime,
})

export const AcceptInvitationResponse = Type.Object({ organizationId: Uuid })
