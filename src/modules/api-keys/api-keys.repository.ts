import { sql, type Selectable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

export type ApiKeyRow = Omit<Selectable<DB['auth.api_keys']>, 'key_hash' | 'last_used_ip'> & { created_by_name: string | null }

/** Never selects key_hash: nothing outside authentication needs it. */
function keysQuery(db: Db, orgId: string) {
  return db
    .selectFrom('auth.api_keys as k')
    .leftJoin('auth.users as u', 'u.id', 'k.user_id')
    .select(['k.id', 'k.organization_id', 'k.user_id', 'k.name', 'k.prefix', 'k.scopes', 'k.created_at', 'k.last_used_at', 'k.expires_at', 'k.revoked_at', 'k.revoked_by'])
    .select('u.display_name as created_by_name')
    .where('k.organization_id', '=', orgId)
}

export function listApiKeys(db: Db, orgId: string): Promise<ApiKeyRow[]> {
  return keysQuery(db, orgId).orderBy('k.created_at', 'desc').orderBy('k.id').execute()
}

export function findApiKey(db: Db, orgId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  return keysQuery(db, orgId).where('k.id', '=', keyId).executeTakeFirst()
}

export async function insertApiKey(
  db: Db,
  values: { orgId: string; userId: string; name: string; prefix: string; keyHash: string; scopes: string[]; expiresAt: Date | null },
): Promise<string> {
  const row = await db
    .insertInto('auth.api_keys')
    .values({
      organization_id: values.orgId,
      user_id: values.userId,
      name: values.name,
      prefix: values.prefix,
      key_hash: values.keyHash,
      scopes: values.scopes,
      expires_at: values.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Revokes the organization's unrevoked keys: one key, one creator's keys, or all. Returns the ids revoked. */
export async function revokeApiKeys(db: Db, orgId: string, revokedBy: string, filter: { keyId?: string; userId?: string }): Promise<string[]> {
  let query = db
    .updateTable('auth.api_keys')
    .set({ revoked_at: sql`now()`, revoked_by: revokedBy })
    .where('organization_id', '=', orgId)
    .where('revoked_at', 'is', null)
  if (filter.keyId !== undefined) {
    query = query.where('id', '=', filter.keyId)
  }
  if (filter.userId !== undefined) {
    query = query.where('user_id', '=', filter.userId)
  }
  const rows = await query.returning('id').execute()
  return rows.map((row) => row.id)
}
