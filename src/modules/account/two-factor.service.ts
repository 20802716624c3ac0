import type { FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { sql } from 'kysely'
import type { Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import { consumeSecondFactor, generateBackupCodes, totpSecretAad, type SecondFactorUser } from '../auth/second-factor.service.ts'
import { generateTotpSecret, otpauthUrl } from '../auth/totp.ts'
import { assertCurrentPassword, assertNotLocked, findSelf } from './account.service.ts'

const ISSUER = 'Tessera'

export function invalidCode(): AppError {
  return new AppError('invalid_mfa_code', 400, 'The code is wrong, expired or already used', { details: [{ field: 'code', message: 'is not valid' }] })
}

async function requireCode(services: Services, trx: Trx, user: SecondFactorUser, code: string, allowBackupCode: boolean): Promise<void> {
  const method = await consumeSecondFactor(services, trx, user, code, { allowBackupCode })
  if (!method) {
    throw invalidCode()
  }
}

/**
 * Starts enrolment: stores a new secret (encrypted) while two_factor_enabled stays false,
 * so nothing changes for sign-in until POST /me/2fa/enable proves the app has it.
 */
export async function setupTwoFactor(services: Services, trx: Trx, userId: string): Promise<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }> {
  const user = await findSelf(trx, userId)
  if (user.two_factor_enabled) {
    throw new AppError('mfa_already_enabled', 409, 'Two-factor authentication is already on; disable it first to enrol a new device')
  }
  const secret = generateTotpSecret()
  await trx
    .updateTable('auth.users')
    .set({ two_factor_secret: services.box.encrypt(secret, totpSecretAad(userId)), two_factor_last_step: null, backup_codes: [] })
    .where('id', '=', userId)
    .execute()
  const url = otpauthUrl(secret, user.email, ISSUER)
  return { secret, otpauthUrl: url, qrCodeDataUrl: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width: 240 }) }
}

/** Verifies the first code from the app, turns 2FA on and returns the backup codes (shown once). */
export async function enableTwoFactor(services: Services, trx: Trx, request: FastifyRequest, userId: string, code: string): Promise<string[]> {
  const user = await findSelf(trx, userId)
  if (user.two_factor_enabled) {
    throw new AppError('mfa_already_enabled', 409, 'Two-factor authentication is already on')
  }
  if (!user.two_factor_secret) {
    throw new AppError('mfa_not_enabled', 409, 'Start with POST /api/v1/me/2fa/setup, then confirm a code from the app')
  }
  assertNotLocked(user)
  await requireCode(services, trx, user, code, false)
  const backup = generateBackupCodes()
  // Conditional on the secret just checked: a concurrent setup call cannot slip in a secret nobody verified.
  const enabled = await trx
    .updateTable('auth.users')
    .set({ two_factor_enabled: true, backup_codes: backup.hashes })
    .where('id', '=', userId)
    .where('two_factor_secret', '=', user.two_factor_secret)
    .where('two_factor_enabled', '=', false)
    .executeTakeFirst()
  if (Number(enabled.numUpdatedRows) !== 1) {
    throw new AppError('conflict', 409, 'Two-factor enrolment changed meanwhile; start again')
  }
  await recordSecurityEvent(trx, request, { type: 'two_factor_enabled', userId })
  return backup.codes
}

/** Needs the password and a current code (or a backup code, for a lost device). */
export async function disableTwoFactor(services: Services, trx: Trx, request: FastifyRequest, userId: string, input: { password: string; code: string }): Promise<void> {
  const user = await findSelf(trx, userId)
  if (!user.two_factor_enabled) {
    throw new AppError('mfa_not_enabled', 409, 'Two-factor authentication is not on')
  }
  await assertCurrentPassword(user, input.password, 'password')
  await requireCode(services, trx, user, input.code, true)
  await trx
    .updateTable('auth.users')
    .set({ two_factor_enabled: false, two_factor_secret: null, two_factor_last_step: null, backup_codes: [] })
    .where('id', '=', userId)
    .execute()
  // A session waiting for its 2FA step would otherwise become a full session now that the
  // user has no second factor: whoever signed in with only the password would be in.
  await trx
    .updateTable('auth.sessions')
    .set({ is_active: false, invalidated_at: sql`now()`, invalidated_reason: 'two_factor_disabled' })
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
    .where('mfa_verified', '=', false)
    .execute()
  await recordSecurityEvent(trx, request, { type: 'two_factor_disabled', userId })
  await services.mailer.enqueue(trx, {
    to: user.email,
    subject: 'Two-factor authentication was turned off',
    text: `Two-factor authentication was turned off for your Tessera account.\n\nIf this was not you, reset your password at ${services.config.publicUrl}/forgot-password and contact your administrator.`,
    template: 'two_factor_disabled',
  })
}

/** Replaces every backup code; needs a current authenticator code or one of the old backup codes. */
export async function regenerateBackupCodes(services: Services, trx: Trx, request: FastifyRequest, userId: string, code: string): Promise<string[]> {
  const user = await findSelf(trx, userId)
  if (!user.two_factor_enabled) {
    throw new AppError('mfa_not_enabled', 409, 'Two-factor authentication is not on')
  }
  assertNotLocked(user)
  await requireCode(services, trx, user, code, true)
  const backup = generateBackupCodes()
  await trx.updateTable('auth.users').set({ backup_codes: backup.hashes }).where('id', '=', userId).execute()
  await recordSecurityEvent(trx, request, { type: 'backup_codes_regenerated', userId })
  return backup.codes
}
