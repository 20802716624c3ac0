import type { Updateable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { isActiveMember } from '../organizations/members.service.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import {
  deleteTeam as deleteTeamRow,
  deleteTeamMember,
  findTeam,
  findTeamMember,
  insertTeam,
  insertTeamMember,
  listTeamMembers as listTeamMemberRows,
  listTeams as listTeamRows,
  updateTeam as updateTeamRow,
  type TeamMemberRow,
  type TeamRow,
} from './teams.repository.ts'
import type { AddTeamMemberBody, CreateTeamBody, TeamMemberResponse, TeamResponse, UpdateTeamBody } from './teams.schema.ts'

export function toTeamResponse(row: TeamRow): TeamResponse {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    memberCount: Number(row.member_count),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

export function toTeamMemberResponse(row: TeamMemberRow): TeamMemberResponse {
  return { userId: row.user_id, email: row.email, name: row.display_name, role: row.role === 'maintainer' ? 'maintainer' : 'member', joinedAt: row.joined_at.toISOString() }
}

const nameTaken = (cause: unknown) =>
  new AppError('conflict', 409, 'A team with this name already exists in the organization', { cause, details: [{ field: 'name', message: 'is already taken' }] })

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505'
}

async function requireTeam(db: Db, actor: OrgActor, teamId: string): Promise<TeamRow> {
  const team = await findTeam(db, actor.orgId, teamId)
  if (!team) {
    throw notFound('team')
  }
  return team
}

export async function listTeams(db: Db, actor: OrgActor): Promise<TeamResponse[]> {
  return (await listTeamRows(db, actor.orgId)).map(toTeamResponse)
}

export async function getTeam(db: Db, actor: OrgActor, teamId: string): Promise<TeamResponse> {
  return toTeamResponse(await requireTeam(db, actor, teamId))
}

/** Creates a team (owners and admins; the route checks). Names are unique within the organization. */
export async function createTeam(db: Db, actor: OrgActor, input: CreateTeamBody): Promise<TeamResponse> {
  let id: string
  try {
    id = await insertTeam(db, { orgId: actor.orgId, name: input.name.trim(), description: input.description ?? null, createdBy: actor.userId })
  } catch (error) {
    throw isUniqueViolation(error) ? nameTaken(error) : error
  }
  return toTeamResponse(await requireTeam(db, actor, id))
}

export async function updateTeam(db: Db, actor: OrgActor, teamId: string, input: UpdateTeamBody): Promise<TeamResponse> {
  const values: Updateable<DB['app.teams']> = {}
  if (input.name !== undefined) {
    values.name = input.name.trim()
  }
  if (input.description !== undefined) {
    values.description = input.description
  }
  let updated: boolean
  try {
    updated = await updateTeamRow(db, actor.orgId, teamId, values)
  } catch (error) {
    throw isUniqueViolation(error) ? nameTaken(error) : error
  }
  if (!updated) {
    throw notFound('team')
  }
  return toTeamResponse(await requireTeam(db, actor, teamId))
}

/** Deletes the team and its memberships. */
export async function deleteTeam(db: Db, actor: OrgActor, teamId: string): Promise<void> {
  if (!(await deleteTeamRow(db, actor.orgId, teamId))) {
    throw notFound('team')
  }
}

export async function listTeamMembers(db: Db, actor: OrgActor, teamId: string): Promise<TeamMemberResponse[]> {
  await requireTeam(db, actor, teamId)
  return (await listTeamMemberRows(db, actor.orgId, teamId)).map(toTeamMemberResponse)
}

/** Adds an active member of the organization to the team; anyone else answers 400. */
export async function addTeamMember(db: Db, actor: OrgActor, teamId: string, input: AddTeamMemberBody): Promise<TeamMemberResponse> {
  await requireTeam(db, actor, teamId)
  if (!(await isActiveMember(db, actor, input.userId))) {
    throw new AppError('validation_failed', 400, 'body.userId is not an active member of this organization', {
      details: [{ field: 'body.userId', message: 'is not an active member of this organization' }],
    })
  }
  if (await findTeamMember(db, actor.orgId, teamId, input.userId)) {
    throw new AppError('already_member', 409, 'This user is already a member of the team', { details: [{ field: 'body.userId', message: 'is already in the team' }] })
  }
  try {
    await insertTeamMember(db, { orgId: actor.orgId, teamId, userId: input.userId, role: input.role ?? 'member' })
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('already_member', 409, 'This user is already a member of the team', { cause: error })
    }
    throw error
  }
  const row = await findTeamMember(db, actor.orgId, teamId, input.userId)
  if (!row) {
    throw new Error('the new team member is not visible')
  }
  return toTeamMemberResponse(row)
}

export async function removeTeamMember(db: Db, actor: OrgActor, teamId: string, userId: string): Promise<void> {
  await requireTeam(db, actor, teamId)
  if (!(await deleteTeamMember(db, actor.orgId, teamId, userId))) {
    throw notFound('team member')
  }
}
