import type { FastifyReply, FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { sharedAccessCache } from './auth-cache.ts'
import { hmac, safeEqual, sha256 } from './crypto.ts'
import { withContext, type TenantContext, type Trx } from './db.ts'
import { AppError, notFound, unauthenticated } from './errors.ts'
import type { Services } from './services.ts'

/**
 * Who is making a request. Sessions come from the cookie, API keys from
 * `Authorization: Bearer tsk_…`. A request never carries both: a bearer request
 * ignores cookies entirely, so API-key routes cannot be driven by a browser session.
 */
export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'session'; userId: string; sessionId: string; mfaVerified: boolean; pendingMfa: boolean; csrfToken: string }
  | { kind: 'apiKey'; userId: string; keyId: string; orgId: string; scopes: string[] }

export type ApiScope = 'ingest' | 'read' | 'write' | 'admin'
export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor
    /** The organization whose membership this request proved (withOrg); null otherwise. The request log attributes the request to it. */
    memberOrgId: string | null
  }
  interface FastifyContextConfig {
    /** Which credentials a route accepts; default 'session'. */
    auth?: 'none' | 'session' | 'apiKey' | 'any' | 'pendingMfa'
    /** For API keys: the scope the route needs. */
    scope?: ApiScope
  }
}

export const API_KEY_PREFIX = 'tsk_'

const API_KEY_TOUCH_INTERVAL_MS = 60_000
/** When this process last recorded each key's use (bounded: one entry per key in use). */
const apiKeyTouchedAt = new Map<string, number>()

export function sessionCookieName(secure: boolean): string {
  // __Host- binds the cookie to this exact origin (Secure, Path=/, no Domain); it needs https.
  return secure ? '__Host-tessera_session' : 'tessera_session'
}

export function csrfTokenFor(services: Services, sessionToken: string): string {
  return hmac(services.config.secretKey, `csrf:${sessionToken}`)
}

interface SessionRow {
  session_id: string
  user_id: string
  expires_at: Date
  absolute_expires_at: Date
  last_activity_at: Date
  mfa_verified: boolean
  is_active: boolean
  user_status: string
  two_factor_enabled: boolean
}

/** CSRF tokens of cached session rows: an HMAC per warm request is a measurable share of its cost. */
const csrfTokens = new WeakMap<SessionRow, string>()

function sessionCsrfToken(services: Services, row: SessionRow, token: string): string {
  let csrf = csrfTokens.get(row)
  if (csrf === undefined) {
    csrf = csrfTokenFor(services, token)
    csrfTokens.set(row, csrf)
  }
  return csrf
}

function sessionUsable(row: SessionRow | undefined): row is SessionRow {
  const now = Date.now()
  return !!row && row.is_active && row.user_status === 'active' && row.expires_at.getTime() > now && row.absolute_expires_at.getTime() > now
}

/**
 * The session of a cookie. A usable session is reused for a few seconds from the process's
 * access cache (auth-cache.ts: revocation, sign-out and user changes evict it); an unknown or
 * dead one is looked up again every time.
 */
async function sessionFromCookie(services: Services, token: string): Promise<SessionRow | undefined> {
  const tokenHash = sha256(token)
  const row = await sharedAccessCache(services).through(
    `session:${tokenHash}`,
    async () => {
      const { rows } = await sql<SessionRow>`select * from private.session_by_token(${tokenHash})`.execute(services.db)
      return sessionUsable(rows[0]) ? rows[0] : undefined
    },
    (session) => ({ userId: session.user_id }),
  )
  // A cached session still expires on time.
  return sessionUsable(row) ? row : undefined
}

/** Slides the idle expiry forward, at most once a minute per session to keep reads cheap. */
async function touchSession(services: Services, row: SessionRow, ip: string): Promise<void> {
  if (Date.now() - row.last_activity_at.getTime() < 60_000) {
    return
  }
  // The row may be the access cache's copy shared by concurrent requests: the first one to get
  // here records the activity, the others see it as recorded.
  row.last_activity_at = new Date()
  const idleHours = await services.settings.integer('auth.session_timeout_hours', 24)
  const touchedAt = Date.now()
  await withContext(services.db, { userId: row.user_id, ip }, async (trx) => {
    await trx
      .updateTable('auth.sessions')
      .set({
        last_activity_at: sql`now()`,
        expires_at: sql`least(absolute_expires_at, now() + make_interval(hours => ${idleHours}))`,
      })
      .where('id', '=', row.session_id)
      .execute()
  })
  // The cached copy slides too: a session used seconds before its idle expiry must not be
  // refused by the copy once that old expiry passes.
  const slid = Math.min(row.absolute_expires_at.getTime(), touchedAt + idleHours * 3_600_000)
  if (slid > row.expires_at.getTime()) row.expires_at = new Date(slid)
}

interface ApiKeyRow {
  id: string
  organization_id: string
  user_id: string
  scopes: string[]
  expires_at: Date | null
  revoked_at: Date | null
  user_status: string
}

function apiKeyUsable(key: ApiKeyRow | undefined): key is ApiKeyRow {
  return !!key && !key.revoked_at && key.user_status === 'active' && !(key.expires_at && key.expires_at.getTime() <= Date.now())
}

/** A usable API key, reused for a few seconds like sessions (revocation evicts it). */
async function apiKeyByToken(services: Services, token: string): Promise<ApiKeyRow | undefined> {
  const keyHash = sha256(token)
  const key = await sharedAccessCache(services).through(
    `apiKey:${keyHash}`,
    async () => {
      const { rows } = await sql<ApiKeyRow>`select * from private.api_key_by_hash(${keyHash})`.execute(services.db)
      return apiKeyUsable(rows[0]) ? rows[0] : undefined
    },
    (row) => ({ userId: row.user_id, orgId: row.organization_id }),
  )
  return apiKeyUsable(key) ? key : undefined
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) {
    return undefined
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1]
}

export async function authenticate(services: Services, request: FastifyRequest): Promise<Actor> {
  const bearer = bearerToken(request)
  if (request.headers.authorization !== undefined && !bearer) {
    throw new AppError('unauthenticated', 401, 'The Authorization header must be "Bearer <api key>"')
  }
  if (bearer) {
    if (!bearer.startsWith(API_KEY_PREFIX)) {
      throw new AppError('unauthenticated', 401, 'The bearer token is not a Tessera API key')
    }
    const key = await apiKeyByToken(services, bearer)
    if (!key) {
      throw new AppError('unauthenticated', 401, 'The API key is invalid, expired or revoked')
    }
    // last_used_at has minute resolution; skipping the write here saves the ingest hot path a round trip.
    const lastTouched = apiKeyTouchedAt.get(key.id) ?? 0
    if (Date.now() - lastTouched >= API_KEY_TOUCH_INTERVAL_MS) {
      apiKeyTouchedAt.set(key.id, Date.now())
      await sql`select private.touch_api_key(${key.id}::uuid, ${request.ip}::inet)`.execute(services.db)
    }
    return { kind: 'apiKey', userId: key.user_id, keyId: key.id, orgId: key.organization_id, scopes: key.scopes }
  }
  const token = request.cookies[sessionCookieName(services.config.publicUrl.startsWith('https:'))]
  if (!token) {
    return { kind: 'anonymous' }
  }
  const row = await sessionFromCookie(services, token)
  if (!row) {
    return { kind: 'anonymous' }
  }
  await touchSession(services, row, request.ip)
  return {
    kind: 'session',
    userId: row.user_id,
    sessionId: row.session_id,
    mfaVerified: row.mfa_verified,
    // A session created by the password step of a 2FA sign-in only unlocks the 2FA step.
    pendingMfa: !row.mfa_verified && row.two_factor_enabled,
    csrfToken: sessionCsrfToken(services, row, token),
  }
}

/** Enforces the route's `config.auth` against the request's actor. */
export function assertRouteAccess(request: FastifyRequest, mode: NonNullable<FastifyRequest['routeOptions']['config']['auth']>, scope?: ApiScope): void {
  const actor = request.actor
  if (mode === 'none') {
    return
  }
  if (actor.kind === 'anonymous') {
    throw unauthenticated()
  }
  if (actor.kind === 'session') {
    if (mode === 'apiKey') {
      throw new AppError('unauthenticated', 401, 'This route needs an API key (Authorization: Bearer)')
    }
    if (mode === 'pendingMfa') {
      return
    }
    if (actor.pendingMfa) {
      throw new AppError('mfa_required', 401, 'Finish signing in with your two-factor code')
    }
    return
  }
  if (mode === 'session' || mode === 'pendingMfa') {
    throw new AppError('unauthenticated', 401, 'This route needs a signed-in session, not an API key')
  }
  if (scope && !actor.scopes.includes(scope) && !actor.scopes.includes('admin')) {
    throw new AppError('insufficient_scope', 403, `This API key lacks the "${scope}" scope`)
  }
}

export function requireUserId(request: FastifyRequest): string {
  const actor = request.actor
  if (actor.kind === 'anonymous') {
    throw unauthenticated()
  }
  return actor.userId
}

export function requestContext(request: FastifyRequest): TenantContext {
  const actor = request.actor
  return {
    userId: actor.kind === 'anonymous' ? null : actor.userId,
    ip: request.ip,
    requestId: request.id,
    sessionId: actor.kind === 'session' ? actor.sessionId : actor.kind === 'apiKey' ? `key:${actor.keyId}` : undefined,
    userAgent: request.headers['user-agent'],
  }
}

/**
 * What withOrg checks before asking the database: someone signed in, a well-formed id, and an
 * API key only ever reaches its own organization (404 otherwise, like a foreign organization).
 */
export function assertOrgReachable(request: FastifyRequest, orgId: string): void {
  const actor = request.actor
  if (actor.kind === 'anonymous') {
    throw unauthenticated()
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orgId)) {
    throw notFound('organization')
  }
  if (actor.kind === 'apiKey' && !safeEqual(actor.orgId, orgId.toLowerCase())) {
    throw notFound('organization')
  }
}

/**
 * Opens the tenant transaction for /orgs/{orgId}/… routes and checks membership. Another
 * organization's id answers 404 (never 403), so ids of other tenants can't be probed.
 * API keys are bound to one organization.
 */
export async function withOrg<T>(
  services: Services,
  request: FastifyRequest,
  orgId: string,
  fn: (trx: Trx, role: OrgRole) => Promise<T>,
  options: { roles?: OrgRole[] } = {},
): Promise<T> {
  assertOrgReachable(request, orgId)
  return withContext(services.db, { ...requestContext(request), orgId }, async (trx) => {
    const { rows } = await sql<{ role: OrgRole | null }>`select private.current_org_role() as role`.execute(trx)
    const role = rows[0]?.role
    if (!role) {
      throw notFound('organization')
    }
    request.memberOrgId = orgId.toLowerCase()
    if (options.roles && !options.roles.includes(role)) {
      throw new AppError('forbidden', 403, `This action needs one of the roles: ${options.roles.join(', ')} (you are ${role})`)
    }
    return fn(trx, role)
  })
}

export async function isInstanceAdmin(trx: Trx): Promise<boolean> {
  const { rows } = await sql<{ admin: boolean }>`select private.is_instance_admin() as admin`.execute(trx)
  return rows[0]?.admin ?? false
}

export function setSessionCookie(services: Services, reply: FastifyReply, token: string, absoluteExpiry: Date): void {
  const secure = services.config.publicUrl.startsWith('https:')
  reply.setCookie(sessionCookieName(secure), token, {
    httpOnly: true,
    secure,
    sameSite: 'lax',
    path: '/',
    expires: absoluteExpiry,
  })
}

export function clearSessionCookie(services: Services, reply: FastifyReply): void {
  const secure = services.config.publicUrl.startsWith('https:')
  reply.clearCookie(sessionCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'lax' })
}
