import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { clearSessionCookie, requestContext } from '../../platform/auth.ts'
import { withContext, type Trx } from '../../platform/db.ts'
import { AppError, unauthenticated } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import { signedInResponse } from './auth.routes.ts'
import { LoginResponse } from './auth.schema.ts'
import { completeSignIn } from './auth.service.ts'
import { consumeSecondFactor, type SecondFactorMethod } from './second-factor.service.ts'

const MfaLoginBody = Type.Object(
  { code: Type.String({ minLength: 6, maxLength: 32, description: 'The 6-digit authenticator code, or one of the backup codes' }) },
  { additionalProperties: false },
)

type StepOutcome = { kind: 'ok'; method: SecondFactorMethod } | { kind: 'wrong_code' } | { kind: 'locked' }

/**
 * The second step of a 2FA sign-in. Consumes the code and ends the pending session in one
 * transaction (so the pending cookie works once). A wrong code counts toward the account
 * lockout like a wrong password; once the account locks, the pending session is ended too.
 */
async function verifyStep(services: Services, request: FastifyRequest, userId: string, sessionId: string, code: string): Promise<StepOutcome> {
  return withContext(services.db, requestContext(request), async (trx) => {
    const user = await trx
      .selectFrom('auth.users')
      .select(['id', 'email', 'two_factor_secret', 'two_factor_last_step', 'locked_until'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow()
    if (user.locked_until && user.locked_until.getTime() > Date.now()) {
      await endSession(trx, sessionId, 'locked')
      return { kind: 'locked' }
    }
    const method = await consumeSecondFactor(services, trx, user, code, { allowBackupCode: true })
    if (method) {
      const ended = await trx
        .updateTable('auth.sessions')
        .set({ is_active: false, invalidated_at: sql`now()`, invalidated_reason: 'rotated' })
        .where('id', '=', sessionId)
        .where('is_active', '=', true)
        .executeTakeFirst()
      if (Number(ended.numUpdatedRows) !== 1) {
        // A concurrent request finished this step first; roll back so the code stays unused.
        throw unauthenticated('This sign-in was already completed or has ended; sign in again')
      }
      return { kind: 'ok', method }
    }
    const maxAttempts = await services.settings.integer('auth.max_login_attempts', 5)
    const lockMinutes = await services.settings.integer('auth.lockout_duration_minutes', 15)
    const { rows } = await sql<{ locked_until: Date | null }>`select private.record_login_failure(${userId}::uuid, ${maxAttempts}, ${lockMinutes}) as locked_until`.execute(trx)
    const lockedUntil = rows[0]?.locked_until
    await recordSecurityEvent(trx, request, { type: 'two_factor_failure', userId, email: user.email, details: { step: 'login' }, status: 401 })
    if (lockedUntil && lockedUntil.getTime() > Date.now()) {
      await recordSecurityEvent(trx, request, { type: 'account_locked', userId, email: user.email, details: { lockedUntil } })
      await endSession(trx, sessionId, 'locked')
      return { kind: 'locked' }
    }
    return { kind: 'wrong_code' }
  })
}

async function endSession(trx: Trx, sessionId: string, reason: string): Promise<void> {
  await trx.updateTable('auth.sessions').set({ is_active: false, invalidated_at: sql`now()`, invalidated_reason: reason }).where('id', '=', sessionId).execute()
}

export function twoFactorLoginRoutes(services: Services, limit: (request: FastifyRequest) => Promise<void>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/auth/login/mfa', {
      config: { auth: 'pendingMfa' },
      schema: {
        tags: ['auth'],
        summary: 'Second sign-in step: the two-factor code',
        description: 'Uses the cookie set by POST /auth/login (which answered `{ mfaRequired: true }`). On success the session is replaced by a new one (new cookie) and the answer is the same as a sign-in. A code works once; a backup code is used up.',
        body: MfaLoginBody,
        response: { 200: LoginResponse },
      },
    }, async (request, reply) => {
      await limit(request)
      const actor = request.actor
      if (actor.kind !== 'session') {
        throw unauthenticated()
      }
      if (actor.mfaVerified) {
        throw new AppError('conflict', 409, 'This session is already fully signed in')
      }
      if (!actor.pendingMfa) {
        throw new AppError('mfa_not_enabled', 409, 'Two-factor authentication is not on for this account')
      }
      const outcome = await verifyStep(services, request, actor.userId, actor.sessionId, request.body.code)
      if (outcome.kind === 'locked') {
        clearSessionCookie(services, reply)
        throw new AppError('account_locked', 401, 'Too many failed attempts; the account is locked for a while. Sign in again later')
      }
      if (outcome.kind === 'wrong_code') {
        throw new AppError('invalid_mfa_code', 401, 'The code is wrong, expired or already used', { details: [{ field: 'code', message: 'is not valid' }] })
      }
      const signedIn = await completeSignIn(services, request, actor.userId, { method: outcome.method, mfaVerified: true, replaceSessionId: actor.sessionId })
      return signedInResponse(services, request, reply, signedIn)
    })
  }
}
