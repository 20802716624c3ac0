import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { requestContext } from '../../platform/auth.ts'
import { randomToken, sha256 } from '../../platform/crypto.ts'
import { withContext, type Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import { Email, MessageResponse, Password } from './auth.schema.ts'
import { assertPasswordPolicy, hashPassword } from './password.ts'
import { revokeSessions } from './sessions.service.ts'

const RESET_TOKEN_MINUTES = 30
const Token = Type.String({ minLength: 20, maxLength: 200 })

const ForgotBody = Type.Object({ email: Email }, { additionalProperties: false })
const ResetBody = Type.Object({ token: Token, password: Password }, { additionalProperties: false })
const VerifyEmailBody = Type.Object({ token: Token }, { additionalProperties: false })

const FORGOT_ANSWER = {
  status: 'accepted',
  message: `If an active account uses this address, we sent it a link to choose a new password. The link works once, for ${RESET_TOKEN_MINUTES} minutes.`,
}

function invalidToken(what: string): AppError {
  return new AppError('invalid_token', 400, `The ${what} link is invalid, expired or already used; request a new one`, { details: [{ field: 'token', message: 'is invalid, expired or already used' }] })
}

/** Pre-authentication flows learn the user from a token; from then on the transaction acts as that user (RLS). */
async function actAs(trx: Trx, userId: string): Promise<void> {
  await sql`select set_config('app.user_id', ${userId}, true)`.execute(trx)
}

/**
 * Creates a reset token (only its SHA-256 is stored; a newer link supersedes older ones)
 * and queues the email. Unknown or inactive addresses do nothing, and the caller gets the
 * same answer either way.
 */
async function requestPasswordReset(services: Services, request: FastifyRequest, email: string): Promise<void> {
  await withContext(services.db, requestContext(request), async (trx) => {
    const { rows } = await sql<{ user_id: string; display_name: string; email: string }>`select * from private.password_reset_target(${email.trim()})`.execute(trx)
    const target = rows[0]
    if (!target) {
      return
    }
    const token = randomToken(32)
    await sql`select private.create_password_reset(${target.user_id}::uuid, ${sha256(token)}, now() + make_interval(mins => ${RESET_TOKEN_MINUTES}))`.execute(trx)
    const link = `${services.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`
    await services.mailer.enqueue(trx, {
      to: target.email,
      subject: 'Reset your Tessera password',
      text: `Hello ${target.display_name},\n\nopen this link within ${RESET_TOKEN_MINUTES} minutes to choose a new password:\n\n${link}\n\nThe link works once. If you did not ask for it, ignore this message; your password stays the same.`,
      template: 'password_reset',
    })
    await recordSecurityEvent(trx, request, { type: 'password_reset_requested', userId: target.user_id, email: target.email })
  })
}

/**
 * Sets a new password with a reset token. The token is consumed by a conditional UPDATE
 * (private.consume_password_reset), so of many concurrent uses exactly one wins; the
 * password change, the lockout reset and the sign-out everywhere commit with it.
 */
async function resetPassword(services: Services, request: FastifyRequest, token: string, password: string): Promise<void> {
  // Policy and hashing first: a weak password must not burn the token, and the argon2 work
  // should not run while the transaction holds the token row.
  assertPasswordPolicy(password, await services.settings.integer('auth.password_min_length', 10))
  const passwordHash = await hashPassword(password)
  await withContext(services.db, requestContext(request), async (trx) => {
    const { rows } = await sql<{ user_id: string | null }>`select private.consume_password_reset(${sha256(token)}) as user_id`.execute(trx)
    const userId = rows[0]?.user_id
    if (!userId) {
      throw invalidToken('password reset')
    }
    await actAs(trx, userId)
    const user = await trx
      .updateTable('auth.users')
      .set({ password_hash: passwordHash, password_changed_at: sql`now()`, failed_login_attempts: 0, locked_until: null, updated_by: userId })
      .where('id', '=', userId)
      .where('status', '=', 'active')
      .returning(['email'])
      .executeTakeFirst()
    if (!user) {
      throw invalidToken('password reset')
    }
    const revoked = await revokeSessions(trx, userId, 'password_reset')
    await recordSecurityEvent(trx, request, { type: 'password_reset', userId, email: user.email, details: { revokedSessions: revoked } })
    await services.mailer.enqueue(trx, {
      to: user.email,
      subject: 'Your Tessera password was reset',
      text: `The password of your Tessera account was reset and every session was signed out.\n\nIf this was not you, contact your administrator.`,
      template: 'password_changed',
    })
  })
}

/** Marks the email verified, but only if the token was sent to the address the account still has. */
async function verifyEmail(services: Services, request: FastifyRequest, token: string): Promise<void> {
  await withContext(services.db, requestContext(request), async (trx) => {
    const { rows } = await sql<{ user_id: string; email: string }>`select * from private.consume_email_verification(${sha256(token)})`.execute(trx)
    const consumed = rows[0]
    if (!consumed) {
      throw invalidToken('verification')
    }
    await actAs(trx, consumed.user_id)
    const user = await trx
      .updateTable('auth.users')
      .set({ email_verified_at: sql`coalesce(email_verified_at, now())` })
      .where('id', '=', consumed.user_id)
      .where('email', '=', consumed.email)
      .returning(['email'])
      .executeTakeFirst()
    if (!user) {
      // The address changed after the link was sent: the link proves nothing about the new one.
      throw invalidToken('verification')
    }
    await recordSecurityEvent(trx, request, { type: 'email_verified', userId: consumed.user_id, email: user.email })
  })
}

export function passwordResetRoutes(services: Services, limit: (request: FastifyRequest) => Promise<void>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/auth/password/forgot', {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Email a password reset link',
        description: 'Always answers 202 with the same body, whether or not the address has an account.',
        body: ForgotBody,
        response: { 202: MessageResponse },
      },
    }, async (request, reply) => {
      await limit(request)
      await requestPasswordReset(services, request, request.body.email)
      return reply.code(202).send(FORGOT_ANSWER)
    })

    app.post('/auth/password/reset', {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Choose a new password with the emailed token',
        description: 'The token works once. Signs the account out everywhere and lifts a sign-in lockout; sign in with the new password afterwards.',
        body: ResetBody,
        response: { 204: Type.Null() },
      },
    }, async (request, reply) => {
      await limit(request)
      await resetPassword(services, request, request.body.token, request.body.password)
      return reply.code(204).send(null)
    })

    app.post('/auth/email/verify', {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Confirm the email address with the emailed token',
        body: VerifyEmailBody,
        response: { 200: MessageResponse },
      },
    }, async (request) => {
      await limit(request)
      await verifyEmail(services, request, request.body.token)
      return { status: 'verified', message: 'Your email address is verified.' }
    })
  }
}
