import { randomUUID } from 'node:crypto'
import { hmac, safeEqual } from '../../platform/crypto.ts'

/**
 * MCP sessions without server state. Tessera's API processes are stateless (any of them may
 * answer any request), so the Mcp-Session-Id it hands out at initialize is a signed token that
 * carries what the initialize said: the client's name and version and the negotiated protocol
 * version. Every later request of the session brings it back (the transport spec requires
 * it), and whichever process answers reads the client from it for the tool-usage log.
 * It is bound to the API key that initialized it; a token that does not verify answers 404,
 * which tells the client to initialize again (the spec's "session expired").
 */
export interface McpSession {
  id: string
  keyId: string
  clientName: string | null
  clientVersion: string | null
  protocolVersion: string | null
}

const PREFIX = 'tms1.'

function signature(secret: Buffer, payload: string): string {
  return hmac(secret, `mcp-session:${payload}`)
}

/** A new session token (visible ASCII only, as the transport spec requires). */
export function issueSession(secret: Buffer, session: Omit<McpSession, 'id'>): { id: string; token: string } {
  const id = randomUUID()
  const payload = Buffer.from(
    JSON.stringify({
      i: id,
      k: session.keyId,
      n: session.clientName?.slice(0, 100) ?? null,
      v: session.clientVersion?.slice(0, 50) ?? null,
      p: session.protocolVersion,
    }),
  ).toString('base64url')
  return { id, token: `${PREFIX}${payload}.${signature(secret, payload)}` }
}

/** The session a token names, or undefined when it is forged, damaged or another key's. */
export function readSession(secret: Buffer, token: string, keyId: string): McpSession | undefined {
  if (!token.startsWith(PREFIX) || token.length > 2_000) {
    return undefined
  }
  const [payload, mac] = token.slice(PREFIX.length).split('.')
  if (!payload || !mac || !safeEqual(mac, signature(secret, payload))) {
    return undefined
  }
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { i?: unknown; k?: unknown; n?: unknown; v?: unknown; p?: unknown }
    if (typeof data.i !== 'string' || data.k !== keyId) {
      return undefined
    }
    const text = (value: unknown) => (typeof value === 'string' ? value : null)
    return { id: data.i, keyId, clientName: text(data.n), clientVersion: text(data.v), protocolVersion: text(data.p) }
  } catch {
    return undefined
  }
}
