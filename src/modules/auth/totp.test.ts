import { describe, expect, it } from 'vitest'
import { base32Decode, base32Encode, generateTotpSecret, otpauthUrl, timeStep, totpAt, verifyTotp } from './totp.ts'

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890", truncated to the 6 digits Tessera uses.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'))
const RFC_VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
]

describe(verifyTotp.name, () => {
  it.each(RFC_VECTORS)('matches the RFC 6238 value at T=%i', (seconds, code) => {
    expect(totpAt(RFC_SECRET, timeStep(seconds * 1000))).toBe(code)
    expect(verifyTotp(RFC_SECRET, code, { nowMs: seconds * 1000 })).toBe(timeStep(seconds * 1000))
  })

  it('accepts the neighbouring steps and nothing further', () => {
    const now = 1_700_000_000_000
    const step = timeStep(now)
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step - 1), { nowMs: now })).toBe(step - 1)
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step + 1), { nowMs: now })).toBe(step + 1)
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step + 2), { nowMs: now })).toBeUndefined()
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step - 2), { nowMs: now })).toBeUndefined()
  })

  it('refuses steps at or before the last accepted one', () => {
    const now = 1_700_000_000_000
    const step = timeStep(now)
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step), { nowMs: now, afterStep: step })).toBeUndefined()
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step - 1), { nowMs: now, afterStep: step - 1 })).toBeUndefined()
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, step + 1), { nowMs: now, afterStep: step })).toBe(step + 1)
  })

  it('refuses anything but six digits', () => {
    expect(verifyTotp(RFC_SECRET, '28708', { nowMs: 59_000 })).toBeUndefined()
    expect(verifyTotp(RFC_SECRET, '2870820', { nowMs: 59_000 })).toBeUndefined()
    expect(verifyTotp(RFC_SECRET, '28708a', { nowMs: 59_000 })).toBeUndefined()
  })
})

describe(base32Encode.name, () => {
  it('round-trips and matches RFC 4648', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI')
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar')
    const secret = generateTotpSecret()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(base32Encode(base32Decode(secret))).toBe(secret)
  })

  it('builds an otpauth URL authenticator apps understand', () => {
    const url = new URL(otpauthUrl('JBSWY3DPEHPK3PXP', 'ada@example.com', 'Tessera'))
    expect(url.protocol).toBe('otpauth:')
    expect(url.host).toBe('totp')
    expect(decodeURIComponent(url.pathname)).toBe('/Tessera:ada@example.com')
    expect(Object.fromEntries(url.searchParams)).toEqual({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'Tessera', algorithm: 'SHA1', digits: '6', period: '30' })
  })
})
