import type { Db } from '../../platform/db.ts'

/** Sources a widget can name, and where their names live. */
export type SourceKind = 'metric' | 'pipeline' | 'query'

const TABLES = { metric: 'app.metrics', pipeline: 'ingest.pipelines', query: 'app.queries' } as const

/** id → name of the organization's sources of one kind. */
export async function namesByIds(db: Db, orgId: string, kind: SourceKind, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom(TABLES[kind]).select(['id', 'name']).where('organization_id', '=', orgId).where('id', 'in', ids).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

/**
 * name → id of the organization's sources of one kind. Metric and pipeline names are unique
 * per organization; saved query names are not, and the oldest query of a name wins.
 */
export async function idsByNames(db: Db, orgId: string, kind: SourceKind, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map()
  const rows = await db.selectFrom(TABLES[kind]).select(['id', 'name'])
    .where('organization_id', '=', orgId)
    .where('name', 'in', names)
    .orderBy('created_at', 'desc').orderBy('id', 'desc')
    .execute()
  // Later entries overwrite earlier ones: ordered newest first, the oldest is kept.
  return new Map(rows.map((r) => [r.name, r.id]))
}

export async function dashboardIdBySlug(db: Db, orgId: string, slug: string): Promise<string | undefined> {
  const row = await db.selectFrom('app.dashboards').select('id')
    .where('organization_id', '=', orgId).where('slug', '=', slug).where('deleted_at', 'is', null)
    .executeTakeFirst()
  return row?.id
}

export async function logExport(db: Db, values: { organization_id: string; dashboard_id: string; user_id: string; session_id: string | null; ip_address: string | null; user_agent: string | null }): Promise<void> {
  await db.insertInto('telemetry.dashboard_usage_logs').values({ ...values, action: 'export' }).execute()
}
