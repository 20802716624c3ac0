import { sql, type Selectable, type Updateable } from 'kysely'
import type { DB, Db, Trx } from '../../platform/db.ts'

export type OrganizationRow = Selectable<DB['app.organizations']>
export type InvitationRow = Selectable<DB['app.invitations']>
export interface MemberRow {
  user_id: string
  email: string
  display_name: string
  role: string
  status: string
  invited_at: Date | null
  joined_at: Date | null
}

/** Inserts the organization and its first owner (the current user) in one definer call. */
export async function insertOrganization(db: Db, input: { name: string; slug: string; description: string | null }): Promise<string> {
  const { rows } = await sql<{ id: string }>`select private.create_organization(${input.name}, ${input.slug}, ${input.description}) as id`.execute(db)
  const id = rows[0]?.id
  if (!id) {
    throw new Error('create_organization returned no id')
  }
  return id
}

export function listOrganizationsOfUser(db: Db, userId: string) {
  return db
    .selectFrom('app.organizations as o')
    .innerJoin('app.organization_members as m', 'm.organization_id', 'o.id')
    .selectAll('o')
    .select('m.role')
    .where('m.user_id', '=', userId)
    .where('m.status', '=', 'active')
    .where('o.deleted_at', 'is', null)
    .orderBy('o.name')
    .orderBy('o.id')
    .execute()
}

export function findOrganization(db: Db, orgId: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('app.organizations').selectAll().where('id', '=', orgId).where('deleted_at', 'is', null).executeTakeFirst()
}

export function updateOrganization(db: Db, orgId: string, values: Updateable<DB['app.organizations']>): Promise<OrganizationRow | undefined> {
  return db.updateTable('app.organizations').set(values).where('id', '=', orgId).where('deleted_at', 'is', null).returningAll().executeTakeFirst()
}

export async function softDeleteOrganization(db: Db, orgId: string): Promise<boolean> {
  const result = await db
    .updateTable('app.organizations')
    .set({ deleted_at: sql`now()`, status: 'deleted' })
    .where('id', '=', orgId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Row lock that serializes changes to an organization's owners (see assertAnotherOwner). */
export async function lockOrganization(trx: Trx, orgId: string): Promise<void> {
  await trx.selectFrom('app.organizations').select('id').where('id', '=', orgId).forNoKeyUpdate().execute()
}

function membersQuery(db: Db, orgId: string) {
  return db
    .selectFrom('app.organization_members as m')
    .innerJoin('auth.users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.email', 'u.display_name', 'm.role', 'm.status', 'm.invited_at', 'm.joined_at'])
    .where('m.organization_id', '=', orgId)
}

export function listMembers(db: Db, orgId: string): Promise<MemberRow[]> {
  return membersQuery(db, orgId).orderBy('u.display_name').orderBy('m.user_id').execute()
}

export function findMember(db: Db, orgId: string, userId: string): Promise<MemberRow | undefined> {
  return membersQuery(db, orgId).where('m.user_id', '=', userId).executeTakeFirst()
}

export async function countActiveOwners(db: Db, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('app.organization_members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', orgId)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

export async function insertMember(db: Db, values: { orgId: string; userId: string; role: string; invitedBy: string }): Promise<void> {
  await db
    .insertInto('app.organization_members')
    .values({
      organization_id: values.orgId,
      user_id: values.userId,
      role: values.role,
      invited_by: values.invitedBy,
      invited_at: sql`now()`,
      joined_at: sql`now()`,
      status: 'active',
    })
    .execute()
}

export async function updateMember(db: Db, orgId: string, userId: string, values: Updateable<DB['app.organization_members']>): Promise<boolean> {
  const result = await db.updateTable('app.organization_members').set(values).where('organization_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function deleteMember(db: Db, orgId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('app.organization_members').where('organization_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** Id of the active account with this email; the definer helper answers owners and admins of the current org only. */
export async function activeUserIdByEmail(db: Db, email: string): Promise<string | null> {
  const { rows } = await sql<{ id: string | null }>`select private.active_user_id_by_email(${email}) as id`.execute(db)
  return rows[0]?.id ?? null
}

export function findUserName(db: Db, userId: string) {
  return db.selectFrom('auth.users').select(['display_name', 'email']).where('id', '=', userId).executeTakeFirst()
}

export function insertInvitation(db: Db, values: { orgId: string; email: string; role: string; tokenHash: string; invitedBy: string; days: number }): Promise<InvitationRow> {
  return db
    .insertInto('app.invitations')
    .values({
      organization_id: values.orgId,
      email: values.email,
      role: values.role,
      token_hash: values.tokenHash,
      invited_by: values.invitedBy,
      expires_at: sql`now() + make_interval(days => ${values.days})`,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Marks the pending invitations of the organization (optionally for one email) revoked. */
export async function revokePendingInvitations(db: Db, orgId: string, email?: string): Promise<void> {
  let query = db
    .updateTable('app.invitations')
    .set({ revoked_at: sql`now()` })
    .where('organization_id', '=', orgId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
  if (email !== undefined) {
    query = query.where('email', '=', email)
  }
  await query.execute()
}

export function listInvitations(db: Db, orgId: string): Promise<InvitationRow[]> {
  return db.selectFrom('app.invitations').selectAll().where('organization_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id').limit(500).execute()
}

export function findInvitation(db: Db, orgId: string, invitationId: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('app.invitations').selectAll().where('organization_id', '=', orgId).where('id', '=', invitationId).executeTakeFirst()
}

export async function revokeInvitation(db: Db, orgId: string, invitationId: string): Promise<void> {
  await db
    .updateTable('app.invitations')
    .set({ revoked_at: sql`now()` })
    .where('organization_id', '=', orgId)
    .where('id', '=', invitationId)
    .where('revoked_at', 'is', null)
    .execute()
}

export interface InvitationByToken {
  id: string
  organization_id: string
  organization_name: string
  email: string
  role: string
  expires_at: Date
  accepted_at: Date | null
  revoked_at: Date | null
}

export async function invitationByTokenHash(db: Db, tokenHash: string): Promise<InvitationByToken | undefined> {
  const { rows } = await sql<InvitationByToken>`select * from private.invitation_by_token(${tokenHash})`.execute(db)
  return rows[0]
}

/** Joins the current user to the invitation's organization; raises P0002 (unusable) or 42501 (other email). */
export async function acceptInvitation(db: Db, tokenHash: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`select private.accept_invitation(${tokenHash}) as id`.execute(db)
  const id = rows[0]?.id
  if (!id) {
    throw new Error('accept_invitation returned no organization')
  }
  return id
}
