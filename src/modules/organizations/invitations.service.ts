import type { Static } from '@sinclair/typebox'
import { randomToken, sha256 } from '../../platform/crypto.ts'
import type { Db, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { invitationStatus, toInvitationResponse } from './organizations.mapper.ts'
import {
  acceptInvitation as acceptInvitationRow,
  findInvitation,
  findUserName,
  insertInvitation,
  invitationByTokenHash,
  listInvitations as listInvitationRows,
  revokeInvitation as revokeInvitationRow,
  revokePendingInvitations,
} from './organizations.repository.ts'
import type { InvitationResponse, InvitationSummary, PublicInvitationResponse } from './organizations.schema.ts'
import { asOrgRole, type OrgActor } from './org-actor.ts'

export const INVITATION_DAYS = 7

/**
 * Creates an invitation with a fresh 256-bit token (only its SHA-256 is stored) and queues
 * the email with the link. An earlier pending invitation for the same address is revoked,
 * so inviting again works as "resend".
 */
export async function createInvitation(
  services: Services,
  trx: Trx,
  actor: OrgActor,
  input: { email: string; role: string; organizationName: string },
): Promise<Static<typeof InvitationSummary>> {
  await revokePendingInvitations(trx, actor.orgId, input.email)
  const token = randomToken(32)
  const row = await insertInvitation(trx, { orgId: actor.orgId, email: input.email, role: input.role, tokenHash: sha256(token), invitedBy: actor.userId, days: INVITATION_DAYS })
  const inviter = await findUserName(trx, actor.userId)
  const link = `${services.config.publicUrl}/invite?token=${encodeURIComponent(token)}`
  await services.mailer.enqueue(trx, {
    to: input.email,
    subject: `You are invited to ${input.organizationName} on Tessera`,
    text:
      `${inviter?.display_name ?? 'Someone'} invited you to join the organization "${input.organizationName}" on Tessera as ${input.role}.\n\n` +
      `Accept the invitation within ${INVITATION_DAYS} days:\n\n${link}\n\nIf you do not expect this invitation, ignore this message.`,
    template: 'organization_invitation',
  })
  return { id: row.id, email: row.email, role: asOrgRole(row.role), expiresAt: row.expires_at.toISOString() }
}

export async function listInvitations(db: Db, actor: OrgActor): Promise<InvitationResponse[]> {
  return (await listInvitationRows(db, actor.orgId)).map(toInvitationResponse)
}

/** Revokes a pending invitation; revoking twice is a no-op, an accepted one answers 409. */
export async function revokeInvitation(db: Db, actor: OrgActor, invitationId: string): Promise<void> {
  const row = await findInvitation(db, actor.orgId, invitationId)
  if (!row) {
    throw notFound('invitation')
  }
  if (row.accepted_at) {
    throw new AppError('conflict', 409, 'This invitation was already accepted; remove the member instead')
  }
  await revokeInvitationRow(db, actor.orgId, invitationId)
}

/** What the invitation page shows before sign-in; unusable tokens answer 404. */
export async function describeInvitation(db: Db, token: string): Promise<Static<typeof PublicInvitationResponse>> {
  const row = await invitationByTokenHash(db, sha256(token))
  if (!row || invitationStatus(row) !== 'pending') {
    throw notFound('invitation')
  }
  return { organizationName: row.organization_name, email: row.email, role: asOrgRole(row.role), expiresAt: row.expires_at.toISOString() }
}

/** The signed-in user (the transaction's app.user_id) accepts an invitation sent to their address. */
export async function acceptInvitation(db: Db, token: string): Promise<{ organizationId: string }> {
  try {
    return { organizationId: await acceptInvitationRow(db, sha256(token)) }
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'P0002') {
      throw notFound('invitation')
    }
    if (code === '42501') {
      throw new AppError('invitation_email_mismatch', 403, 'This invitation was sent to a different email address; sign in with that address to accept it', { cause: error })
    }
    throw error
  }
}
