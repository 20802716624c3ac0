import { randomInt } from 'node:crypto'
import { sql } from 'kysely'
import { sha256 } from '../../platform/crypto.ts'
import type { Trx } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { verifyTotp } from './totp.ts'

export type SecondFactorMethod = 'totp' | 'backup_code'

export const BACKUP_CODE_COUNT = 10
// 31 symbols without look-alikes (0/o, 1/l/i); 10 symbols ≈ 49.5 bits per code.
const BACKUP_CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

/** The stored TOTP secret is sealed with the user id as associated data: a ciphertext copied to another row does not open. */
export function totpSecretAad(userId: string): string {
  return `totp:${userId}`
}

export function normalizeBackupCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase()
}

/** Ten fresh single-use codes (`xxxxx-xxxxx`) and the SHA-256 hashes that are stored. */
export function generateBackupCodes(): { codes: string[]; hashes: string[] } {
  const codes: string[] = []
  for (let i = 0; i < BACKUP_CODE_COUNT; i++) {
    let raw = ''
    for (let j = 0; j < 10; j++) {
      raw += BACKUP_CODE_ALPHABET[randomInt(BACKUP_CODE_ALPHABET.length)]
    }
    codes.push(`${raw.slice(0, 5)}-${raw.slice(5)}`)
  }
  return { codes, hashes: codes.map((code) => sha256(normalizeBackupCode(code))) }
}

export interface SecondFactorUser {
  id: string
  two_factor_secret: string | null
  two_factor_last_step: string | null
}

/**
 * Checks a TOTP code (or, when allowed, a backup code) against the user's stored secret and
 * burns it in the same statement that checks it: the TOTP step must be newer than the last
 * accepted one, and a backup code is removed from the array. Both updates are conditional,
 * so two concurrent requests with the same code cannot both succeed.
 * The transaction's app.user_id must be user.id. Returns the method used, or undefined.
 */
export async function consumeSecondFactor(
  services: Services,
  trx: Trx,
  user: SecondFactorUser,
  code: string,
  options: { allowBackupCode: boolean },
): Promise<SecondFactorMethod | undefined> {
  const trimmed = code.replace(/\s/g, '')
  if (/^\d{6}$/.test(trimmed)) {
    if (!user.two_factor_secret) {
      return undefined
    }
    const secret = services.box.decrypt(user.two_factor_secret, totpSecretAad(user.id))
    const lastStep = user.two_factor_last_step === null ? null : Number(user.two_factor_last_step)
    const step = verifyTotp(secret, trimmed, { afterStep: lastStep })
    if (step === undefined) {
      return undefined
    }
    const accepted = await trx
      .updateTable('auth.users')
      .set({ two_factor_last_step: String(step) })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('two_factor_last_step', 'is', null), eb('two_factor_last_step', '<', String(step))]))
      .executeTakeFirst()
    return Number(accepted.numUpdatedRows) === 1 ? 'totp' : undefined
  }
  if (!options.allowBackupCode) {
    return undefined
  }
  const hash = sha256(normalizeBackupCode(code))
  const used = await trx
    .updateTable('auth.users')
    .set({ backup_codes: sql`array_remove(backup_codes, ${hash}::text)` })
    .where('id', '=', user.id)
    .where(sql<boolean>`${hash}::text = any(backup_codes)`)
    .executeTakeFirst()
  return Number(used.numUpdatedRows) === 1 ? 'backup_code' : undefined
}
