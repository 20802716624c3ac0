import { randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { requestContext } from '../../platform/auth.ts'
import { randomToken, sha256 } from '../../platform/crypto.ts'
import { withContext, type Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import { assertPasswordPolicy, burnPasswordCheck, hashPassword, verifyPassword } from './password.ts'
import { createSession, type LoginMethod } from './sessions.service.ts'

export interface NewUser {
  email: string
  password: string
  name: string
  emailVerified?: boolean
}

/**
 * Inserts a user. The transaction's app.user_id must already be the new id (see
 * `withNewUser`): the users policy lets a caller create only themselves.
 */
export async function insertUser(services: Services, trx: Trx, id: string, input: NewUser): Promise<void> {
  assertPasswordPolicy(input.password, await services.settings.integer('auth.password_min_length', 10))
  const [first, ...rest] = input.name.trim().split(/\s+/)
  await trx
    .insertInto('auth.users')
    .values({
      id,
      email: input.email.trim(),
      password_hash: await hashPassword(input.password),
      display_name: input.name.trim(),
      first_name: first ?? null,
      last_name: rest.length > 0 ? rest.join(' ') : null,
      email_verified_at: input.emailVerified ? sql`now()` : null,
    })
    .execute()
}

export async function emailRegistered(trx: Trx, email: string): Promise<boolean> {
  const { rows } = await sql<{ taken: boolean }>`select private.email_registered(${email.trim()}) as taken`.execute(trx)
  return rows[0]?.taken ?? false
}

/** Creates a verification token and queues the email with the link (24 h, single use). */
export async function queueEmailVerification(services: Services, trx: Trx, userId: string, email: string): Promise<void> {
  const token = randomToken(32)
  await trx
    .insertInto('auth.email_verification_tokens')
    .values({ user_id: userId, token_hash: sha256(token), email, expires_at: sql`now() + interval '24 hours'` })
    .execute()
  const link = `${services.config.publicUrl}/verify-email?token=${encodeURIComponent(token)}`
  await services.mailer.enqueue(trx, {
    to: email,
    subject: 'Verify your email address for Tessera',
    text: `Confirm that this is your email address by opening this link within 24 hours:\n\n${link}\n\nIf you did not create a Tessera account, ignore this message.`,
    template: 'verify_email',
  })
}

export interface RegisterOutcome {
  created: boolean
  userId?: string
}

/**
 * Registration answers the same whether or not the email is taken: a taken address gets
 * an email telling its owner, and the caller learns nothing.
 */
export async function register(services: Services, request: FastifyRequest, input: NewUser & { invitationToken?: string | undefined }): Promise<RegisterOutcome> {
  const allowed = await services.settings.boolean('auth.allow_registration', true)
  const invitation = input.invitationToken ? await invitationFor(services, input.invitationToken) : undefined
  if (!allowed && !invitation) {
    throw new AppError('registration_closed', 403, 'Registration is closed on this instance; ask an administrator for an invitation')
  }
  assertPasswordPolicy(input.password, await services.settings.integer('auth.password_min_length', 10))
  const id = randomUUID()
  return withContext(services.db, { ...requestContext(request), userId: id }, async (trx) => {
    if (await emailRegistered(trx, input.email)) {
      await burnPasswordCheck(input.password)
      await services.mailer.enqueue(trx, {
        to: input.email.trim(),
        subject: 'Someone tried to register with your email address',
        text: `Someone tried to create a Tessera account with this address, which already has one.\n\nIf it was you, sign in at ${services.config.publicUrl}/login or reset your password at ${services.config.publicUrl}/forgot-password.`,
        template: 'register_existing',
      })
      return { created: false }
    }
    // Arriving through an invitation link proves the address, as a verification link would.
    const verifiedByInvitation = invitation !== undefined && invitation.email.toLowerCase() === input.email.trim().toLowerCase()
    await insertUser(services, trx, id, { ...input, emailVerified: verifiedByInvitation })
    if (verifiedByInvitation && input.invitationToken) {
      await sql`select private.accept_invitation(${sha256(input.invitationToken)})`.execute(trx)
    } else {
      await queueEmailVerification(services, trx, id, input.email.trim())
    }
    return { created: true, userId: id }
  })
}

async function invitationFor(services: Services, token: string): Promise<{ email: string } | undefined> {
  const { rows } = await sql<{ email: string; expires_at: Date; accepted_at: Date | null; revoked_at: Date | null }>`
    select * from private.invitation_by_token(${sha256(token)})`.execute(services.db)
  const row = rows[0]
  if (!row || row.accepted_at || row.revoked_at || row.expires_at.getTime() <= Date.now()) {
    return undefined
  }
  return { email: row.email }
}

export type LoginOutcome = { kind: 'signed_in' | 'mfa_required'; userId: string; token: string; absoluteExpiresAt: Date }

const INVALID_CREDENTIALS = 'Email or password is incorrect (after repeated failures an account is locked for a while)'

/**
 * Password sign-in. Unknown email, wrong password, locked or suspended account all answer
 * the same 401 after the same argon2 work, so responses reveal nothing about an account.
 */
export async function login(services: Services, request: FastifyRequest, email: string, password: string): Promise<LoginOutcome> {
  const context = requestContext(request)
  const { rows } = await sql<{ id: string; email: string; password_hash: string; status: string; locked_until: Date | null; two_factor_enabled: boolean }>`
    select * from private.user_for_login(${email.trim()})`.execute(services.db)
  const user = rows[0]
  if (!user) {
    await burnPasswordCheck(password)
    await withContext(services.db, context, (trx) => recordSecurityEvent(trx, request, { type: 'login_failure', email, details: { reason: 'unknown_email' }, status: 401 }))
    throw new AppError('invalid_credentials', 401, INVALID_CREDENTIALS)
  }
  const passwordOk = await verifyPassword(user.password_hash, password)
  const locked = user.locked_until !== null && user.locked_until.getTime() > Date.now()
  if (!passwordOk || locked || user.status !== 'active') {
    await withContext(services.db, context, async (trx) => {
      if (!passwordOk && !locked) {
        const maxAttempts = await services.settings.integer('auth.max_login_attempts', 5)
        const lockMinutes = await services.settings.integer('auth.lockout_duration_minutes', 15)
        const result = await sql<{ locked_until: Date | null }>`select private.record_login_failure(${user.id}::uuid, ${maxAttempts}, ${lockMinutes}) as locked_until`.execute(trx)
        const lockedUntil = result.rows[0]?.locked_until
        if (lockedUntil && lockedUntil.getTime() > Date.now()) {
          await recordSecurityEvent(trx, request, { type: 'account_locked', userId: user.id, email: user.email, details: { lockedUntil } })
        }
      }
      const reason = locked ? 'locked' : user.status !== 'active' ? `status_${user.status}` : 'wrong_password'
      await recordSecurityEvent(trx, request, { type: 'login_failure', userId: user.id, email: user.email, details: { reason }, status: 401 })
    })
    throw new AppError('invalid_credentials', 401, INVALID_CREDENTIALS)
  }
  if (await services.settings.boolean('auth.require_email_verification', false)) {
    const verified = await withContext(services.db, { ...context, userId: user.id }, (trx) =>
      trx.selectFrom('auth.users').select('email_verified_at').where('id', '=', user.id).executeTakeFirst(),
    )
    if (!verified?.email_verified_at) {
      throw new AppError('email_not_verified', 403, 'Verify your email address first; we sent you a link when you registered')
    }
  }
  return completeSignIn(services, request, user.id, { method: 'password', mfaVerified: !user.two_factor_enabled })
}

/** Records a successful step and issues a new session (a fresh id every time). */
export async function completeSignIn(
  services: Services,
  request: FastifyRequest,
  userId: string,
  options: { method: LoginMethod; mfaVerified: boolean; replaceSessionId?: string },
): Promise<LoginOutcome> {
  return withContext(services.db, { ...requestContext(request), userId }, async (trx) => {
    if (options.replaceSessionId) {
      await trx
        .updateTable('auth.sessions')
        .set({ is_active: false, invalidated_at: sql`now()`, invalidated_reason: 'rotated' })
        .where('id', '=', options.replaceSessionId)
        .execute()
    }
    const session = await createSession(services, trx, request, userId, { method: options.method, mfaVerified: options.mfaVerified })
    if (options.mfaVerified) {
      await trx
        .updateTable('auth.users')
        .set({ last_login_at: sql`now()`, last_login_ip: request.ip, login_count: sql`login_count + 1`, failed_login_attempts: 0, locked_until: null })
        .where('id', '=', userId)
        .execute()
      await recordSecurityEvent(trx, request, { type: 'login_success', userId, details: { method: options.method } })
    }
    return { kind: options.mfaVerified ? 'signed_in' : 'mfa_required', userId, token: session.token, absoluteExpiresAt: session.absoluteExpiresAt }
  })
}

export async function setupRequired(services: Services): Promise<{ required: boolean; tokenRequired: boolean }> {
  const { rows } = await sql<{ required: boolean; token: boolean }>`
    select private.setup_required() as required, (select token_hash is not null from ops.instance_setup where id = 1) as token`.execute(services.db)
  return { required: rows[0]?.required ?? false, tokenRequired: rows[0]?.token ?? false }
}

/** First-run setup: creates the instance administrator and signs them in. */
export async function completeSetup(services: Services, request: FastifyRequest, input: NewUser & { setupToken?: string | undefined }): Promise<LoginOutcome> {
  const state = await setupRequired(services)
  if (!state.required) {
    throw new AppError('setup_completed', 409, 'This instance is already set up; sign in instead')
  }
  const id = randomUUID()
  await withContext(services.db, { ...requestContext(request), userId: id }, async (trx) => {
    if (await emailRegistered(trx, input.email)) {
      throw new AppError('email_taken', 409, 'An account with this email exists; sign in with it or use another address', { details: [{ field: 'email', message: 'is already registered' }] })
    }
    await insertUser(services, trx, id, { ...input, emailVerified: true })
    try {
      const { rows } = await sql<{ done: boolean }>`select private.complete_setup(${input.setupToken ? sha256(input.setupToken) : null}) as done`.execute(trx)
      if (!rows[0]?.done) {
        throw new AppError('setup_completed', 409, 'This instance is already set up; sign in instead')
      }
    } catch (error) {
      if ((error as { code?: string }).code === '28P01') {
        throw new AppError('setup_token_invalid', 403, 'The setup token is wrong; it is printed in the server log at first start', { details: [{ field: 'setupToken', message: 'does not match' }] })
      }
      throw error
    }
    await recordSecurityEvent(trx, request, { type: 'setup_completed', userId: id, email: input.email })
  })
  return completeSignIn(services, request, id, { method: 'setup', mfaVerified: true })
}
