import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed embed tokens: base64url(JSON claims) + "." + base64url(HMAC-SHA256(key, domain + claims)).
 * Compact enough for a URL path, verifiable without any stored state but the organization's
 * signing key. The claims are readable by whoever holds the URL; they carry the organization
 * and dashboard ids, the expiry and the locked filters and range, nothing secret.
 */

export interface EmbedClaims {
  org: string
  dashboard: string
  /** Expiry, seconds since the epoch. */
  exp: number
  filters: Record<string, string>
  range: { from: string; to: string } | null
  keyVersion: number
}

/** Separates these signatures from any other HMAC the same key might ever make. */
const DOMAIN = 'tessera-embed-v1.'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const B64URL = /^[A-Za-z0-9_-]+$/
export const MAX_EMBED_TOKEN = 4_000

function signature(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(DOMAIN + body).digest()
}

export function signEmbed(key: Buffer, claims: EmbedClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return `${body}.${signature(key, body).toString('base64url')}`
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The claims of a well-formed token, not yet verified (the key to verify with depends on them); null when malformed. */
export function readEmbed(token: string): { claims: EmbedClaims; body: string; mac: Buffer } | null {
  if (token.length > MAX_EMBED_TOKEN) return null
  const parts = token.split('.')
  if (parts.length !== 2 || !B64URL.test(parts[0]!) || !B64URL.test(parts[1]!)) return null
  const [body, mac] = parts as [string, string]
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  if (!isObject(parsed)) return null
  const { org, dashboard, exp, filters, range, keyVersion } = parsed
  if (typeof org !== 'string' || !UUID.test(org) || typeof dashboard !== 'string' || !UUID.test(dashboard)) return null
  if (!Number.isInteger(exp) || !Number.isInteger(keyVersion)) return null
  if (!isObject(filters) || Object.values(filters).some((v) => typeof v !== 'string')) return null
  if (range !== null && !(isObject(range) && typeof range.from === 'string' && typeof range.to === 'string')) return null
  return {
    claims: { org, dashboard, exp: exp as number, filters: filters as Record<string, string>, range: range as EmbedClaims['range'], keyVersion: keyVersion as number },
    body,
    mac: Buffer.from(mac, 'base64url'),
  }
}

/** Whether `mac` is the key's signature of `body`, compared in constant time. */
export function signedBy(key: Buffer, body: string, mac: Buffer): boolean {
  const expected = signature(key, body)
  return mac.length === expected.length && timingSafeEqual(mac, expected)
}
