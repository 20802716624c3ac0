import { sql, type Kysely } from 'kysely'
import type { DB } from '../../platform/db.generated.ts'
import type { Db, Trx } from '../../platform/db.ts'

/** Which dashboard a shared link opens, and the users its data may be read as (null: none fits). */
export interface ShareTarget {
  organization_id: string
  dashboard_id: string
  /** The dashboard's creator while an active member with an active account. */
  creator_id: string | null
  /** An active owner of the organization: the fallback. */
  owner_id: string | null
}

/** Before any tenant context: the live public dashboard whose token has this SHA-256 (db/migrations/0240). */
export async function publicTarget(db: Kysely<DB>, tokenHash: string): Promise<ShareTarget | undefined> {
  const { rows } = await sql<ShareTarget>`select * from private.public_dashboard_by_token(${tokenHash})`.execute(db)
  return rows[0]
}

/** Before any tenant context: the organization's sealed embed signing key (db/migrations/0241). */
export async function embedSigningKey(db: Kysely<DB>, orgId: string): Promise<{ key_version: number; sealed_key: string } | undefined> {
  const { rows } = await sql<{ key_version: number; sealed_key: string }>`select * from private.embed_signing_key(${orgId}::uuid)`.execute(db)
  return rows[0]
}

/** After a valid embed signature: the signed dashboard if it is still live. */
export async function embedTarget(db: Kysely<DB>, orgId: string, dashboardId: string): Promise<ShareTarget | undefined> {
  const { rows } = await sql<ShareTarget>`select * from private.embed_dashboard_target(${orgId}::uuid, ${dashboardId}::uuid)`.execute(db)
  return rows[0]
}

/**
 * Makes the rest of the transaction act as this user (transaction-local, like withContext) and
 * returns their role in the transaction's organization, null when they are not an active member.
 */
export async function actAs(trx: Trx, userId: string): Promise<string | null> {
  const { rows } = await sql<{ role: string | null }>`
    select set_config('app.user_id', ${userId}, true), private.current_org_role() as role`.execute(trx)
  return rows[0]?.role ?? null
}

export interface PublicLinkState {
  is_public: boolean
  public_token_hash: string | null
  public_allow_viewer_changes: boolean
}

export async function publicLinkState(db: Db, orgId: string, dashboardId: string): Promise<PublicLinkState | undefined> {
  return db
    .selectFrom('app.dashboards')
    .select(['is_public', 'public_token_hash', 'public_allow_viewer_changes'])
    .where('organization_id', '=', orgId)
    .where('id', '=', dashboardId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

/** Sets (or, with null, clears) the dashboard's public link; a new hash makes the old token stop working. */
export async function setPublicLink(db: Db, orgId: string, dashboardId: string, link: { hash: string; prefix: string; allowViewerChanges: boolean } | null): Promise<void> {
  await db
    .updateTable('app.dashboards')
    .set(
      link
        ? { is_public: true, public_token_hash: link.hash, public_token_prefix: link.prefix, public_allow_viewer_changes: link.allowViewerChanges }
        : { is_public: false, public_token_hash: null, public_token_prefix: null, public_allow_viewer_changes: false },
    )
    .where('organization_id', '=', orgId)
    .where('id', '=', dashboardId)
    .execute()
}

export async function logUsage(
  db: Db,
  values: { organization_id: string; dashboard_id: string; user_id: string | null; action: 'view' | 'share'; session_id: string | null; ip_address: string | null; user_agent: string | null },
): Promise<void> {
  await db.insertInto('telemetry.dashboard_usage_logs').values(values).execute()
}

/** Counts a view (view_count, last_viewed_at) through the dashboards module's helper (db/migrations/0200). */
export async function recordView(db: Db, dashboardId: string): Promise<void> {
  await sql`select private.record_dashboard_view(${dashboardId})`.execute(db)
}

export interface EmbedKeyRow {
  key_version: number
  sealed_key: string
}

/** The organization's current embed key (the highest version); with `lock`, held until the transaction ends so rotations serialize. */
export async function findEmbedKey(db: Db, orgId: string, lock = false): Promise<EmbedKeyRow | undefined> {
  let query = db.selectFrom('app.embed_signing_keys').select(['key_version', 'sealed_key']).where('organization_id', '=', orgId).orderBy('key_version', 'desc').limit(1)
  if (lock) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Adds a key version unless a concurrent request just added the same one (then theirs stays). */
export async function insertEmbedKey(db: Db, values: { organization_id: string; key_version: number; sealed_key: string; created_by: string }): Promise<void> {
  await db.insertInto('app.embed_signing_keys').values(values).onConflict((oc) => oc.columns(['organization_id', 'key_version']).doNothing()).execute()
}

/** Drops the versions before `version`: tokens they signed stop verifying. */
export async function deleteEmbedKeysBefore(db: Db, orgId: string, version: number): Promise<void> {
  await db.deleteFrom('app.embed_signing_keys').where('organization_id', '=', orgId).where('key_version', '<', version).execute()
}
