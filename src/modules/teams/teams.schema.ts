import { Type, type Static } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })

export const TeamParams = Type.Object({ orgId: Type.String(), teamId: Uuid })
export const TeamMemberParams = Type.Object({ orgId: Type.String(), teamId: Uuid, userId: Uuid })

export const TeamRole = Type.Union([Type.Literal('maintainer'), Type.Literal('member')])

export const TeamResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  memberCount: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type TeamResponse = Static<typeof TeamResponse>

export const CreateTeamBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2000 })])),
  },
  { additionalProperties: false },
)
export type CreateTeamBody = Static<typeof CreateTeamBody>

export const UpdateTeamBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2000 })])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateTeamBody = Static<typeof UpdateTeamBody>

export const TeamMemberResponse = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: TeamRole,
  joinedAt: DateTime,
})
export type TeamMemberResponse = Static<typeof TeamMemberResponse>

export const AddTeamMemberBody = Type.Object(
  { userId: Uuid, role: Type.Optional(TeamRole) },
  { additionalProperties: false },
)
export type AddTeamMemberBody = Static<typeof AddTeamMemberBody>
