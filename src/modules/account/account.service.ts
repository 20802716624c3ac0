import type { FastifyRequest } from 'fastify'
import { sql, type Selectable } from 'kysely'
import { isInstanceAdmin } from '../../platform/auth.ts'
import type { DB, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import { assertPasswordPolicy, hashPassword, verifyPassword } from '../auth/password.ts'
import { createSession, revokeSessions } from '../auth/sessions.service.ts'
import { toUserResponse } from '../auth/users.mapper.ts'
import type { MeResponse, ProfileResponse, SessionResponse, UpdateProfileBody } from './account.schema.ts'

type UserRow = Selectable<DB['auth.users']>

const MAX_PREFERENCES_BYTES = 16 * 1024

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

export async function findSelf(trx: Trx, userId: string): Promise<UserRow> {
  const row = await trx.selectFrom('auth.users').selectAll().where('id', '=', userId).where('deleted_at', 'is', null).executeTakeFirst()
  if (!row) {
    throw notFound('user')
  }
  return row
}

export async function toProfile(trx: Trx, row: UserRow): Promise<ProfileResponse> {
  return {
    user: toUserResponse(row, await isInstanceAdmin(trx)),
    preferences: { ui: asObject(row.ui_preferences), notifications: asObject(row.notification_preferences) },
  }
}

/**
 * The signed-in user, their organizations and the CSRF token. An API key sees only its own
 * organization: a key must not reveal the user's memberships in other tenants.
 */
export async function getMe(trx: Trx, userId: string, options: { onlyOrgId?: string; csrfToken: string | null }): Promise<MeResponse> {
  const row = await findSelf(trx, userId)
  let query = trx
    .selectFrom('app.organization_members as m')
    .innerJoin('app.organizations as o', 'o.id', 'm.organization_id')
    .select(['o.id', 'o.name', 'o.slug', 'm.role', 'm.status', 'o.status as organization_status'])
    .where('m.user_id', '=', userId)
    .where('m.status', 'in', ['active', 'pending'])
    .where('o.deleted_at', 'is', null)
    .orderBy('o.name')
  if (options.onlyOrgId) {
    query = query.where('o.id', '=', options.onlyOrgId)
  }
  const organizations = await query.execute()
  return {
    ...(await toProfile(trx, row)),
    organizations: organizations.map((org) => ({ id: org.id, name: org.name, slug: org.slug, role: org.role, status: org.status, organizationStatus: org.organization_status })),
    csrfToken: options.csrfToken,
  }
}

function isTimeZone(value: string): boolean {
  // DateTimeFormat also accepts offsets like "+01:00" on newer runtimes; only IANA names are stored.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(value)) {
    return false
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value })
    return true
  } catch {
    return false
  }
}

function preferencesJson(value: Record<string, unknown>, field: string): string {
  const json = JSON.stringify(value)
  if (Buffer.byteLength(json) > MAX_PREFERENCES_BYTES) {
    throw new AppError('validation_failed', 400, `${field} must be at most ${MAX_PREFERENCES_BYTES} bytes of JSON`, { details: [{ field, message: 'is too large' }] })
  }
  return json
}

/** Updates the profile fields present in the body; preference objects are replaced as a whole. */
export async function updateProfile(trx: Trx, userId: string, input: UpdateProfileBody): Promise<ProfileResponse> {
  if (input.timezone !== undefined && !isTimeZone(input.timezone)) {
    throw new AppError('validation_failed', 400, `Unknown time zone "${input.timezone}"; use an IANA name such as Europe/Berlin`, { details: [{ field: 'timezone', message: 'is not an IANA time zone' }] })
  }
  if (input.avatarUrl) {
    let protocol = ''
    try {
      protocol = new URL(input.avatarUrl).protocol
    } catch {
      protocol = ''
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new AppError('validation_failed', 400, 'avatarUrl must be an http or https URL', { details: [{ field: 'avatarUrl', message: 'must be an http(s) URL' }] })
    }
  }
  const row = await trx
    .updateTable('auth.users')
    .set({
      ...(input.name !== undefined && { display_name: input.name.trim() }),
      ...(input.firstName !== undefined && { first_name: input.firstName?.trim() || null }),
      ...(input.lastName !== undefined && { last_name: input.lastName?.trim() || null }),
      ...(input.avatarUrl !== undefined && { avatar_url: input.avatarUrl }),
      ...(input.timezone !== undefined && { timezone: input.timezone }),
      ...(input.locale !== undefined && { locale: input.locale }),
      ...(input.uiPreferences !== undefined && { ui_preferences: preferencesJson(input.uiPreferences, 'uiPreferences') }),
      ...(input.notificationPreferences !== undefined && { notification_preferences: preferencesJson(input.notificationPreferences, 'notificationPreferences') }),
      updated_by: userId,
    })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirst()
  if (!row) {
    throw notFound('user')
  }
  return toProfile(trx, row)
}

/**
 * Refuses re-authentication (password or code checks by a signed-in user) while the account
 * is locked: otherwise a stolen session could keep guessing the password here after sign-in
 * attempts are blocked.
 */
export function assertNotLocked(row: Pick<UserRow, 'locked_until'>): void {
  if (row.locked_until && row.locked_until.getTime() > Date.now()) {
    throw new AppError('account_locked', 403, 'Too many failed attempts; try again later', { details: { lockedUntil: row.locked_until.toISOString() } })
  }
}

/**
 * Counts a failed re-authentication like a failed sign-in (toward the lockout) and logs it.
 * Call it in a transaction of its own: the request's transaction has been rolled back.
 */
export async function recordReauthFailure(services: Services, trx: Trx, request: FastifyRequest, userId: string, kind: 'wrong_password' | 'invalid_mfa_code'): Promise<void> {
  const maxAttempts = await services.settings.integer('auth.max_login_attempts', 5)
  const lockMinutes = await services.settings.integer('auth.lockout_duration_minutes', 15)
  const { rows } = await sql<{ locked_until: Date | null }>`select private.record_login_failure(${userId}::uuid, ${maxAttempts}, ${lockMinutes}) as locked_until`.execute(trx)
  const lockedUntil = rows[0]?.locked_until
  if (lockedUntil && lockedUntil.getTime() > Date.now()) {
    await recordSecurityEvent(trx, request, { type: 'account_locked', userId, details: { lockedUntil } })
  }
  await recordSecurityEvent(trx, request, {
    type: kind === 'invalid_mfa_code' ? 'two_factor_failure' : 'login_failure',
    userId,
    details: { reason: kind, step: 'reauthentication' },
    status: 400,
  })
}

export async function assertCurrentPassword(row: Pick<UserRow, 'password_hash' | 'locked_until'>, password: string, field: string): Promise<void> {
  assertNotLocked(row)
  if (!(await verifyPassword(row.password_hash, password))) {
    throw new AppError('wrong_password', 400, 'The current password is not correct', { details: [{ field, message: 'is not correct' }] })
  }
}

/**
 * Changes the password, signs the user out everywhere (every session, including this one)
 * and issues a fresh session for this client. Returns the new cookie token.
 */
export async function changePassword(
  services: Services,
  trx: Trx,
  request: FastifyRequest,
  userId: string,
  input: { currentPassword: string; newPassword: string },
): Promise<{ token: string; absoluteExpiresAt: Date }> {
  const row = await findSelf(trx, userId)
  await assertCurrentPassword(row, input.currentPassword, 'currentPassword')
  assertPasswordPolicy(input.newPassword, await services.settings.integer('auth.password_min_length', 10), 'newPassword')
  await trx
    .updateTable('auth.users')
    .set({ password_hash: await hashPassword(input.newPassword), password_changed_at: sql`now()`, updated_by: userId })
    .where('id', '=', userId)
    .execute()
  const revoked = await revokeSessions(trx, userId, 'password_changed')
  // The caller proved the password on a full (2FA-complete) session, so the new one is full too.
  const session = await createSession(services, trx, request, userId, { method: 'password', mfaVerified: true })
  await recordSecurityEvent(trx, request, { type: 'password_changed', userId, details: { revokedSessions: revoked } })
  await services.mailer.enqueue(trx, {
    to: row.email,
    subject: 'Your Tessera password was changed',
    text: `The password of your Tessera account was changed and every other session was signed out.\n\nIf this was not you, reset your password at ${services.config.publicUrl}/forgot-password and contact your administrator.`,
    template: 'password_changed',
  })
  return { token: session.token, absoluteExpiresAt: session.absoluteExpiresAt }
}

/** The user's sessions that can still be used, most recently active first. */
export async function listSessions(trx: Trx, userId: string, currentSessionId: string | undefined): Promise<SessionResponse[]> {
  const rows = await trx
    .selectFrom('auth.sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
    .where('expires_at', '>', sql<Date>`now()`)
    .where('absolute_expires_at', '>', sql<Date>`now()`)
    .orderBy('last_activity_at', 'desc')
    .execute()
  const join = (...parts: Array<string | null>) => parts.filter(Boolean).join(' ') || null
  return rows.map((row) => ({
    id: row.id,
    current: row.id === currentSessionId,
    mfaVerified: row.mfa_verified,
    device: row.device_type,
    browser: join(row.browser_name, row.browser_version),
    os: join(row.os_name, row.os_version),
    ipAddress: row.ip_address,
    loginMethod: row.login_method,
    createdAt: row.created_at.toISOString(),
    lastActivityAt: row.last_activity_at.toISOString(),
    expiresAt: (row.expires_at < row.absolute_expires_at ? row.expires_at : row.absolute_expires_at).toISOString(),
  }))
}

/** Signs out one of the user's own sessions; another user's session id answers 404. */
export async function revokeOwnSession(trx: Trx, request: FastifyRequest, userId: string, sessionId: string): Promise<void> {
  const revoked = await revokeSessions(trx, userId, 'revoked_by_user', { onlySessionId: sessionId })
  if (revoked === 0) {
    throw notFound('session')
  }
  await recordSecurityEvent(trx, request, { type: 'session_revoked', userId, details: { sessionId } })
}
