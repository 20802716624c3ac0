import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * RFC 6238 TOTP (HMAC-SHA-1, 30 s steps, 6 digits), the parameters every authenticator
 * app supports. Pure functions: replay protection (the last accepted step) lives in the
 * caller, which stores it in auth.users.two_factor_last_step.
 */
export const TOTP_PERIOD_SECONDS = 30
export const TOTP_DIGITS = 6
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export function base32Encode(bytes: Buffer): string {
  let bits = 0
  let value = 0
  let output = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      output += BASE32_ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) {
    output += BASE32_ALPHABET[(value << (5 - bits)) & 31]
  }
  return output
}

export function base32Decode(encoded: string): Buffer {
  const clean = encoded.replace(/[\s=]/g, '').toUpperCase()
  let bits = 0
  let value = 0
  const output: number[] = []
  for (const char of clean) {
    const index = BASE32_ALPHABET.indexOf(char)
    if (index === -1) {
      throw new Error('invalid base32 character')
    }
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      output.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return Buffer.from(output)
}

/** A new 160-bit secret (RFC 4226 recommends the HMAC-SHA-1 output length), base32. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20))
}

export function timeStep(nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS)
}

/** RFC 4226 HOTP value for one counter. */
export function hotp(secret: string, counter: number): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const digest = createHmac('sha1', base32Decode(secret)).update(message).digest()
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f
  const binary = digest.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0')
}

export function totpAt(secret: string, step: number): string {
  return hotp(secret, step)
}

/**
 * Returns the time step the code belongs to (current step ±window), or undefined.
 * Steps at or before `afterStep` are never accepted, so a code used once cannot be
 * used again, not even within its own 30 s.
 */
export function verifyTotp(secret: string, code: string, options: { afterStep?: number | null; nowMs?: number; window?: number } = {}): number | undefined {
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) {
    return undefined
  }
  const current = timeStep(options.nowMs)
  const window = options.window ?? 1
  const given = Buffer.from(code)
  let matched: number | undefined
  // Compare every candidate (no early exit) so timing does not reveal which step matched.
  for (let step = current - window; step <= current + window; step++) {
    const expected = Buffer.from(totpAt(secret, step))
    const equal = timingSafeEqual(expected, given)
    if (equal && matched === undefined && (options.afterStep == null || step > options.afterStep)) {
      matched = step
    }
  }
  return matched
}

/** The otpauth:// URI authenticator apps read from the QR code (Key Uri Format). */
export function otpauthUrl(secret: string, accountName: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`
  const params = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD_SECONDS) })
  return `otpauth://totp/${label}?${params.toString()}`
}
