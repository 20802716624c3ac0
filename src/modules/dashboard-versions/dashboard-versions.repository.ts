import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import type { Snapshot } from './dashboard-versions.diff.ts'

export interface VersionRow {
  version: number
  summary: string
  author_id: string | null
  author_name: string | null
  created_at: Date
  widget_count: number
}

/**
 * Serializes the saves of one dashboard for the rest of the transaction: the version number
 * (max + 1), the optimistic-concurrency check of a document save and the snapshot all see the
 * state the previous save committed. It is the dashboard row's own lock, the one every save
 * takes anyway when it moves updated_at, so whatever order a save takes them in, two saves
 * never wait for each other in opposite orders (a separate advisory lock could deadlock with
 * the widget endpoints, which update the row before recording their version).
 */
export async function lockDashboardVersions(db: Db, orgId: string, dashboardId: string): Promise<void> {
  await sql`select id from app.dashboards where organization_id = ${orgId} and id = ${dashboardId} for no key update`.execute(db)
}

export async function latestVersion(db: Db, orgId: string, dashboardId: string): Promise<{ version: number; snapshot: Snapshot } | undefined> {
  const row = await db.selectFrom('app.dashboard_versions').select(['version', 'snapshot'])
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', dashboardId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row ? { version: row.version, snapshot: row.snapshot as unknown as Snapshot } : undefined
}

export async function insertVersion(
  db: Db,
  values: { organization_id: string; dashboard_id: string; version: number; snapshot: Snapshot; summary: string; author_id: string },
): Promise<void> {
  await db.insertInto('app.dashboard_versions').values({ ...values, snapshot: JSON.stringify(values.snapshot) }).execute()
}

export async function listVersions(db: Db, orgId: string, dashboardId: string, limit: number, offset: number): Promise<{ rows: VersionRow[]; total: number }> {
  // The author's name: co-members are visible (auth.users policy); someone who left is not.
  const { rows } = await sql<VersionRow & { total: number }>`
    select v.version, v.summary, v.author_id, u.display_name as author_name, v.created_at,
           jsonb_array_length(v.snapshot -> 'widgets') as widget_count, count(*) over ()::int as total
      from app.dashboard_versions v
      left join auth.users u on u.id = v.author_id
     where v.organization_id = ${orgId} and v.dashboard_id = ${dashboardId}
     order by v.version desc
     limit ${limit} offset ${offset}`.execute(db)
  if (rows.length === 0 && offset > 0) {
    const count = await db.selectFrom('app.dashboard_versions').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('organization_id', '=', orgId).where('dashboard_id', '=', dashboardId).executeTakeFirstOrThrow()
    return { rows, total: Number(count.n) }
  }
  return { rows, total: rows[0]?.total ?? 0 }
}

export async function findVersion(db: Db, orgId: string, dashboardId: string, version: number): Promise<(VersionRow & { snapshot: Snapshot }) | undefined> {
  const { rows } = await sql<VersionRow & { snapshot: Snapshot }>`
    select v.version, v.summary, v.author_id, u.display_name as author_name, v.created_at, v.snapshot,
           jsonb_array_length(v.snapshot -> 'widgets') as widget_count
      from app.dashboard_versions v
      left join auth.users u on u.id = v.author_id
     where v.organization_id = ${orgId} and v.dashboard_id = ${dashboardId} and v.version = ${version}`.execute(db)
  return rows[0]
}

export interface SnapshotSource {
  dashboard: { name: string; description: string | null; tags: string[]; theme: unknown; filters: unknown; refresh_interval: number; layout: unknown }
  widgets: Array<{
    id: string
    widget_type: string
    title: string
    description: string | null
    position: unknown
    config: unknown
    data_query: unknown
    cache_duration: number
  }>
}

/** The dashboard's current settings and widgets (in their list order), as a snapshot is made of. */
export async function snapshotSource(db: Db, orgId: string, dashboardId: string): Promise<SnapshotSource | undefined> {
  const dashboard = await db.selectFrom('app.dashboards')
    .select(['name', 'description', 'tags', 'theme', 'filters', 'refresh_interval', 'layout'])
    .where('organization_id', '=', orgId)
    .where('id', '=', dashboardId)
    .executeTakeFirst()
  if (!dashboard) return undefined
  const widgets = await db.selectFrom('app.widgets')
    .select(['id', 'widget_type', 'title', 'description', 'position', 'config', 'data_query', 'cache_duration'])
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', dashboardId)
    .orderBy('created_at').orderBy('id')
    .execute()
  return { dashboard, widgets }
}
