import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { UAParser } from 'ua-parser-js'
import { randomToken, sha256 } from '../../platform/crypto.ts'
import type { Trx } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'

export type LoginMethod = 'password' | 'setup' | 'invitation' | 'password_reset' | 'totp' | 'backup_code'

function deviceFrom(userAgent: string | undefined) {
  const parsed = new UAParser(userAgent ?? '').getResult()
  return {
    device_type: parsed.device.type ?? 'desktop',
    browser_name: parsed.browser.name?.slice(0, 50) ?? null,
    browser_version: parsed.browser.version?.slice(0, 20) ?? null,
    os_name: parsed.os.name?.slice(0, 50) ?? null,
    os_version: parsed.os.version?.slice(0, 20) ?? null,
  }
}

/**
 * Creates a session for userId (the transaction's app.user_id must be userId) and returns
 * the cookie token. Only its SHA-256 is stored. A new session id is minted on every
 * sign-in and every 2FA step-up, never reused.
 */
export async function createSession(
  services: Services,
  trx: Trx,
  request: FastifyRequest,
  userId: string,
  options: { method: LoginMethod; mfaVerified: boolean },
): Promise<{ token: string; sessionId: string; absoluteExpiresAt: Date }> {
  const idleHours = await services.settings.integer('auth.session_timeout_hours', 24)
  const absoluteDays = await services.settings.integer('auth.session_absolute_timeout_days', 30)
  const token = randomToken(32)
  const userAgent = request.headers['user-agent']
  const device = deviceFrom(userAgent)
  const row = await trx
    .insertInto('auth.sessions')
    .values({
      user_id: userId,
      token_hash: sha256(token),
      device_info: JSON.stringify(device),
      ...device,
      ip_address: request.ip,
      user_agent: userAgent?.slice(0, 1000) ?? null,
      login_method: options.method,
      mfa_verified: options.mfaVerified,
      expires_at: sql`now() + make_interval(hours => ${Math.min(idleHours, absoluteDays * 24)})`,
      absolute_expires_at: sql`now() + make_interval(days => ${absoluteDays})`,
    })
    .returning(['id', 'absolute_expires_at'])
    .executeTakeFirstOrThrow()
  return { token, sessionId: row.id, absoluteExpiresAt: row.absolute_expires_at }
}

/** Ends sessions of a user at once (logout everywhere, password change, suspension). */
export async function revokeSessions(trx: Trx, userId: string, reason: string, options: { exceptSessionId?: string; onlySessionId?: string } = {}): Promise<number> {
  let query = trx
    .updateTable('auth.sessions')
    .set({ is_active: false, invalidated_at: sql`now()`, invalidated_reason: reason })
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
  if (options.exceptSessionId) {
    query = query.where('id', '<>', options.exceptSessionId)
  }
  if (options.onlySessionId) {
    query = query.where('id', '=', options.onlySessionId)
  }
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}
