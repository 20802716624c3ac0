import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { API_KEY_PREFIX } from '../../platform/auth.ts'
import { randomToken, sha256 } from '../../platform/crypto.ts'
import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { findApiKey, insertApiKey, listApiKeys as listApiKeyRows, revokeApiKeys, type ApiKeyRow } from './api-keys.repository.ts'
import type { ApiKeyResponse, CreateApiKeyBody, CreatedApiKeyResponse } from './api-keys.schema.ts'

type Scope = ApiKeyResponse['scopes'][number]
const SCOPES: readonly Scope[] = ['ingest', 'read', 'write', 'admin']

export function toApiKeyResponse(row: ApiKeyRow): ApiKeyResponse {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.filter((scope): scope is Scope => (SCOPES as readonly string[]).includes(scope)),
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    createdBy: row.user_id,
    createdByName: row.created_by_name,
  }
}

/**
 * A new secret: `tsk_` + 8 hex characters (the stored, displayable prefix) + `_` + 32 random
 * bytes in base64url. Only its SHA-256 is stored; authenticate() looks keys up by that hash.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = `${API_KEY_PREFIX}${randomBytes(4).toString('hex')}`
  const key = `${prefix}_${randomToken(32)}`
  return { key, prefix, hash: sha256(key) }
}

export async function listApiKeys(db: Db, actor: OrgActor): Promise<ApiKeyResponse[]> {
  return (await listApiKeyRows(db, actor.orgId)).map(toApiKeyResponse)
}

/**
 * Creates a key for the actor in their organization (owners and admins; the route checks).
 * The key acts as its creator, with the creator's current role, limited to its scopes.
 */
export async function createApiKey(db: Db, request: FastifyRequest, actor: OrgActor, input: CreateApiKeyBody): Promise<CreatedApiKeyResponse> {
  const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt)
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new AppError('validation_failed', 400, 'body.expiresAt must be in the future', { details: [{ field: 'body.expiresAt', message: 'must be in the future' }] })
  }
  const secret = generateApiKey()
  const id = await insertApiKey(db, { orgId: actor.orgId, userId: actor.userId, name: input.name.trim(), prefix: secret.prefix, keyHash: secret.hash, scopes: input.scopes, expiresAt })
  const row = await findApiKey(db, actor.orgId, id)
  if (!row) {
    throw new Error('the new API key is not visible')
  }
  await recordSecurityEvent(db, request, { type: 'api_key_created', userId: actor.userId, orgId: actor.orgId, details: { keyId: id, name: row.name, prefix: row.prefix, scopes: row.scopes } })
  return { ...toApiKeyResponse(row), key: secret.key }
}

/** Revokes one key; revoking a revoked key is a no-op. */
export async function revokeApiKey(db: Db, request: FastifyRequest, actor: OrgActor, keyId: string): Promise<void> {
  const row = await findApiKey(db, actor.orgId, keyId)
  if (!row) {
    throw notFound('API key')
  }
  if (row.revoked_at) {
    return
  }
  await revokeApiKeys(db, actor.orgId, actor.userId, { keyId })
  await recordSecurityEvent(db, request, { type: 'api_key_revoked', userId: actor.userId, orgId: actor.orgId, details: { keyId, prefix: row.prefix, createdBy: row.user_id } })
}

/**
 * Revokes the organization's keys as a side effect of a membership change: the keys one
 * member created (they leave or are removed) or all of them (the organization is deleted).
 */
export async function revokeOrganizationApiKeys(db: Db, actor: OrgActor, filter: { userId?: string }): Promise<string[]> {
  return revokeApiKeys(db, actor.orgId, actor.userId, filter)
}
