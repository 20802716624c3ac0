import { sql } from 'kysely'
import type { Db, Trx } from '../../platform/db.ts'
import { AppError, forbidden, notFound } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { revokeOrganizationApiKeys } from '../api-keys/api-keys.service.ts'
import { createInvitation } from './invitations.service.ts'
import { toMemberResponse } from './organizations.mapper.ts'
import {
  activeUserIdByEmail,
  countActiveOwners,
  deleteMember,
  findMember,
  findOrganization,
  insertMember,
  listMembers as listMemberRows,
  lockOrganization,
  revokePendingInvitations,
  updateMember as updateMemberRow,
} from './organizations.repository.ts'
import type { AddMemberBody, AddMemberResponse, MemberResponse, UpdateMemberBody } from './organizations.schema.ts'
import type { OrgActor } from './org-actor.ts'

const lastOwner = () =>
  new AppError('last_owner', 409, 'An organization must keep at least one active owner; make someone else an owner first')

function isOwnerConstraint(error: unknown): boolean {
  const pg = error as { code?: string; constraint?: string }
  return pg.code === '23514' && pg.constraint === 'organization_needs_owner'
}

/**
 * Refuses to take away the last active owner. The organization row lock serializes owner
 * changes, so two owners demoting each other at once can't both see "another owner left";
 * the count runs after the lock, in a fresh READ COMMITTED snapshot.
 */
async function assertAnotherOwner(trx: Trx, orgId: string): Promise<void> {
  await lockOrganization(trx, orgId)
  if ((await countActiveOwners(trx, orgId)) <= 1) {
    throw lastOwner()
  }
}

/**
 * Runs a membership write with the deferred organization_needs_owner trigger checked at
 * once, so a violation surfaces here as 409 last_owner and not as a failed COMMIT.
 */
async function guardOwners<T>(trx: Trx, write: () => Promise<T>): Promise<T> {
  await sql`set constraints app.organization_needs_owner immediate`.execute(trx)
  try {
    return await write()
  } catch (error) {
    if (isOwnerConstraint(error)) {
      throw lastOwner()
    }
    throw error
  }
}

export async function listMembers(db: Db, actor: OrgActor): Promise<MemberResponse[]> {
  return (await listMemberRows(db, actor.orgId)).map(toMemberResponse)
}

/** True when the user is an active member of the actor's organization. */
export async function isActiveMember(db: Db, actor: OrgActor, userId: string): Promise<boolean> {
  const member = await findMember(db, actor.orgId, userId)
  return member?.status === 'active'
}

/**
 * Adds an existing active account directly, or invites the address (7-day link) when no
 * active account has it. Only owners grant the owner role.
 */
export async function addMember(services: Services, trx: Trx, actor: OrgActor, input: AddMemberBody): Promise<AddMemberResponse> {
  if (input.role === 'owner' && actor.role !== 'owner') {
    throw forbidden('Only owners can grant the owner role')
  }
  const org = await findOrganization(trx, actor.orgId)
  if (!org) {
    throw notFound('organization')
  }
  const email = input.email.trim()
  const userId = await activeUserIdByEmail(trx, email)
  if (!userId) {
    const invitation = await createInvitation(services, trx, actor, { email, role: input.role, organizationName: org.name })
    return { status: 'invited', invitation }
  }
  const existing = await findMember(trx, actor.orgId, userId)
  if (existing && existing.status !== 'removed') {
    throw new AppError('already_member', 409, 'This person is already a member of the organization', { details: [{ field: 'email', message: 'is already a member' }] })
  }
  try {
    if (existing) {
      await updateMemberRow(trx, actor.orgId, userId, { role: input.role, status: 'active', invited_by: actor.userId, invited_at: new Date(), joined_at: new Date() })
    } else {
      await insertMember(trx, { orgId: actor.orgId, userId, role: input.role, invitedBy: actor.userId })
    }
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError('already_member', 409, 'This person is already a member of the organization', { cause: error })
    }
    throw error
  }
  // Invitations sent to this address earlier are moot now.
  await revokePendingInvitations(trx, actor.orgId, email)
  const member = await findMember(trx, actor.orgId, userId)
  if (!member) {
    throw new Error('the new member is not visible')
  }
  await services.mailer.enqueue(trx, {
    to: member.email,
    subject: `You were added to ${org.name} on Tessera`,
    text: `You are now a ${input.role} of the organization "${org.name}" on Tessera.\n\nOpen it at ${services.config.publicUrl}/orgs/${actor.orgId}\n\nIf you do not expect this, you can leave the organization from its members page.`,
    template: 'member_added',
  })
  return { status: 'added', member: toMemberResponse(member) }
}

/**
 * Changes a member's role or status (owners and admins). Admins neither grant the owner role
 * nor touch an owner's membership; the last active owner can't be demoted or suspended.
 */
export async function updateMember(trx: Trx, actor: OrgActor, userId: string, input: UpdateMemberBody): Promise<MemberResponse> {
  const target = await findMember(trx, actor.orgId, userId)
  if (!target) {
    throw notFound('member')
  }
  if (actor.role !== 'owner' && (target.role === 'owner' || input.role === 'owner')) {
    throw forbidden(target.role === 'owner' ? "Only owners can change an owner's membership" : 'Only owners can grant the owner role')
  }
  const losesOwner = target.role === 'owner' && target.status === 'active' && ((input.role !== undefined && input.role !== 'owner') || input.status === 'suspended')
  if (losesOwner) {
    await assertAnotherOwner(trx, actor.orgId)
  }
  const values: { role?: string; status?: string } = {}
  if (input.role !== undefined) {
    values.role = input.role
  }
  if (input.status !== undefined) {
    values.status = input.status
  }
  await guardOwners(trx, () => updateMemberRow(trx, actor.orgId, userId, values))
  const updated = await findMember(trx, actor.orgId, userId)
  if (!updated) {
    throw notFound('member')
  }
  return toMemberResponse(updated)
}

/**
 * Removes a member (owners and admins), or lets any member leave. The API keys the member
 * created in this organization are revoked with the membership; team memberships cascade.
 */
export async function removeMember(trx: Trx, actor: OrgActor, userId: string): Promise<void> {
  const leaving = userId === actor.userId
  if (!leaving && actor.role !== 'owner' && actor.role !== 'admin') {
    throw forbidden('Only owners and admins can remove other members')
  }
  const target = await findMember(trx, actor.orgId, userId)
  if (!target) {
    throw notFound('member')
  }
  if (!leaving && target.role === 'owner' && actor.role !== 'owner') {
    throw forbidden('Only owners can remove an owner')
  }
  if (target.role === 'owner' && target.status === 'active') {
    await assertAnotherOwner(trx, actor.orgId)
  }
  await revokeOrganizationApiKeys(trx, actor, { userId })
  await guardOwners(trx, () => deleteMember(trx, actor.orgId, userId))
}
