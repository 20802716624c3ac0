import { sql, type Selectable, type Updateable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

export type TeamRow = Selectable<DB['app.teams']> & { member_count: string }
export interface TeamMemberRow {
  user_id: string
  email: string
  display_name: string
  role: string
  joined_at: Date
}

function teamsQuery(db: Db, orgId: string) {
  return db
    .selectFrom('app.teams as t')
    .selectAll('t')
    .select((eb) =>
      eb.selectFrom('app.team_members as tm').select(eb.fn.countAll<string>().as('n')).whereRef('tm.team_id', '=', 't.id').where('tm.organization_id', '=', orgId).as('member_count'),
    )
    .where('t.organization_id', '=', orgId)
}

export async function listTeams(db: Db, orgId: string): Promise<TeamRow[]> {
  const rows = await teamsQuery(db, orgId).orderBy('t.name').orderBy('t.id').execute()
  return rows.map((row) => ({ ...row, member_count: row.member_count ?? '0' }))
}

export async function findTeam(db: Db, orgId: string, teamId: string): Promise<TeamRow | undefined> {
  const row = await teamsQuery(db, orgId).where('t.id', '=', teamId).executeTakeFirst()
  return row && { ...row, member_count: row.member_count ?? '0' }
}

export async function insertTeam(db: Db, values: { orgId: string; name: string; description: string | null; createdBy: string }): Promise<string> {
  const row = await db
    .insertInto('app.teams')
    .values({ organization_id: values.orgId, name: values.name, description: values.description, created_by: values.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function updateTeam(db: Db, orgId: string, teamId: string, values: Updateable<DB['app.teams']>): Promise<boolean> {
  const result = await db.updateTable('app.teams').set(values).where('organization_id', '=', orgId).where('id', '=', teamId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function deleteTeam(db: Db, orgId: string, teamId: string): Promise<boolean> {
  const result = await db.deleteFrom('app.teams').where('organization_id', '=', orgId).where('id', '=', teamId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

function teamMembersQuery(db: Db, orgId: string, teamId: string) {
  return db
    .selectFrom('app.team_members as tm')
    .innerJoin('auth.users as u', 'u.id', 'tm.user_id')
    .select(['tm.user_id', 'u.email', 'u.display_name', 'tm.role', 'tm.joined_at'])
    .where('tm.organization_id', '=', orgId)
    .where('tm.team_id', '=', teamId)
}

export function listTeamMembers(db: Db, orgId: string, teamId: string): Promise<TeamMemberRow[]> {
  return teamMembersQuery(db, orgId, teamId).orderBy('u.display_name').orderBy('tm.user_id').execute()
}

export function findTeamMember(db: Db, orgId: string, teamId: string, userId: string): Promise<TeamMemberRow | undefined> {
  return teamMembersQuery(db, orgId, teamId).where('tm.user_id', '=', userId).executeTakeFirst()
}

export async function insertTeamMember(db: Db, values: { orgId: string; teamId: string; userId: string; role: string }): Promise<void> {
  await db
    .insertInto('app.team_members')
    .values({ organization_id: values.orgId, team_id: values.teamId, user_id: values.userId, role: values.role, joined_at: sql`now()` })
    .execute()
}

export async function deleteTeamMember(db: Db, orgId: string, teamId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('app.team_members')
    .where('organization_id', '=', orgId)
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}
