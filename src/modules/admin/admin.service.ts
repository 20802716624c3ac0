import type { FastifyRequest } from 'fastify'
import type { Trx } from '../../platform/db.ts'
import { forbidden, notFound } from '../../platform/errors.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import { revokeSessions } from '../auth/sessions.service.ts'
import { findAdminUser, lockUser, setUserStatus, type AdminUserRow } from './admin.repository.ts'

/**
 * Suspends or reactivates a user. Suspension ends every session of the user in the same
 * transaction, so no request that starts after the commit is still signed in; API keys
 * stop working too, because key lookup checks the owner's status.
 */
export async function changeUserStatus(trx: Trx, request: FastifyRequest, adminId: string, userId: string, status: 'active' | 'suspended'): Promise<AdminUserRow> {
  if (userId === adminId && status === 'suspended') {
    // An administrator suspending themselves could leave the instance with nobody to undo it.
    throw forbidden('You cannot suspend your own account')
  }
  const user = await lockUser(trx, userId)
  if (!user || user.status === 'deleted') {
    throw notFound('user')
  }
  if (user.status !== status) {
    await setUserStatus(trx, userId, status)
  }
  if (status === 'suspended') {
    // Also when the user was already suspended: a session created in a race is ended as well.
    const revoked = await revokeSessions(trx, userId, 'user_suspended')
    if (user.status !== status || revoked > 0) {
      await recordSecurityEvent(trx, request, { type: 'user_suspended', userId, email: user.email, details: { suspendedBy: adminId, sessionsRevoked: revoked } })
    }
  }
  const row = await findAdminUser(trx, userId)
  if (!row) {
    throw notFound('user')
  }
  return row
}
