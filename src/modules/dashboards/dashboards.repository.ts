import { sql, type Updateable } from 'kysely'
import type { AppDashboards } from '../../platform/db.generated.ts'
import type { Db } from '../../platform/db.ts'
import type { DashboardListQuery, PermissionType } from './dashboards.schema.ts'

export interface DashboardRow {
  id: string
  organization_id: string
  team_id: string | null
  created_by: string | null
  name: string
  slug: string
  description: string | null
  layout: unknown
  theme: unknown
  filters: unknown
  refresh_interval: number
  is_public: boolean
  /** The public link's display prefix (the token itself is never stored) and whether its viewers may change range and filters. */
  public_token_prefix: string | null
  public_allow_viewer_changes: boolean
  tags: string[]
  view_count: number
  last_viewed_at: Date | null
  created_at: Date
  updated_at: Date
  deleted_at: Date | null
  /** Whether the caller starred it. */
  starred: boolean
  /** Whether the dashboard has explicit permissions (then only those listed, managers and its creator see it). */
  restricted: boolean
  /** The highest permission granted to the caller, directly or through a team (1 view, 2 edit, 3 admin). */
  granted: number | null
}

/** The columns every read returns: the row, plus what the permission model needs about the caller. */
const accessColumns = (userId: string) => sql`
  d.id, d.organization_id, d.team_id, d.created_by, d.name, d.slug, d.description, d.layout, d.theme, d.filters,
  d.refresh_interval, d.is_public, d.public_token_prefix, d.public_allow_viewer_changes, d.tags, d.view_count, d.last_viewed_at, d.created_at, d.updated_at, d.deleted_at,
  exists (select 1 from app.dashboard_stars s where s.dashboard_id = d.id and s.user_id = ${userId}) as starred,
  exists (select 1 from app.dashboard_permissions p where p.dashboard_id = d.id) as restricted,
  (select max(case p.permission_type when 'admin' then 3 when 'edit' then 2 else 1 end)
     from app.dashboard_permissions p
    where p.dashboard_id = d.id
      and (p.user_id = ${userId}
           or p.team_id in (select tm.team_id from app.team_members tm where tm.user_id = ${userId} and tm.organization_id = d.organization_id))) as granted`

export async function findDashboard(db: Db, orgId: string, userId: string, id: string): Promise<DashboardRow | undefined> {
  const { rows } = await sql<DashboardRow>`select ${accessColumns(userId)} from app.dashboards d where d.organization_id = ${orgId} and d.id = ${id}`.execute(db)
  return rows[0]
}

export async function listDashboards(
  db: Db,
  orgId: string,
  userId: string,
  manager: boolean,
  query: DashboardListQuery,
): Promise<{ rows: DashboardRow[]; total: number }> {
  const where = [sql`d.organization_id = ${orgId}`]
  if (query.deleted) {
    where.push(sql`d.deleted_at is not null and d.deleted_at > now() - interval '30 days'`)
  } else {
    where.push(sql`d.deleted_at is null`)
  }
  if (query.q) {
    // One typo in a short word leaves about half its trigrams ("revnue" ~ "Revenue": 0.5); the
    // default threshold (0.6) is too strict. Transaction-local, so safe behind PgBouncer.
    await sql`select set_config('pg_trgm.word_similarity_threshold', '0.4', true)`.execute(db)
    // Typo-tolerant: the query's trigrams against the best-matching part of the name
    // (word similarity, served by the gin_trgm_ops index), or a plain substring.
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    where.push(sql`(${query.q} operator(public.<%) d.name or d.name ilike ${pattern})`)
  }
  if (query.tag) {
    where.push(sql`d.tags @> array[${query.tag}]::text[]`)
  }
  if (query.owner) {
    where.push(sql`d.created_by::text = ${query.owner === 'me' ? userId : query.owner}`)
  }
  if (query.starred) {
    where.push(sql`exists (select 1 from app.dashboard_stars s where s.dashboard_id = d.id and s.user_id = ${userId})`)
  }
  const order = query.q
    ? sql`public.word_similarity(${query.q}, x.name) desc, x.name`
    : query.sort === 'views'
      ? sql`x.view_count desc, x.name`
      : query.sort === 'name'
        ? sql`x.name, x.id`
        : query.sort === 'updated'
          ? sql`x.updated_at desc, x.id`
          : sql`x.last_viewed_at desc nulls last, x.updated_at desc, x.id`
  // Managers see everything; others what is not restricted, what they created, and what they were granted.
  const visible = manager ? sql`true` : sql`(not x.restricted or x.granted is not null or x.created_by = ${userId})`
  const { rows } = await sql<DashboardRow & { total: number }>`
    select x.*, count(*) over ()::int as total
      from (select ${accessColumns(userId)} from app.dashboards d where ${sql.join(where, sql` and `)}) x
     where ${visible}
     order by ${order}
     limit ${query.limit ?? 50} offset ${query.offset ?? 0}`.execute(db)
  return { rows, total: rows[0]?.total ?? 0 }
}

/** Serializes slug choice per organization for the rest of the transaction. */
export async function lockSlugs(db: Db, orgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('app.dashboards.slug:' || ${orgId}))`.execute(db)
}

export async function slugsLike(db: Db, orgId: string, base: string): Promise<string[]> {
  const { rows } = await sql<{ slug: string }>`
    select slug from app.dashboards where organization_id = ${orgId} and (slug = ${base} or slug like ${`${base}-%`})`.execute(db)
  return rows.map((r) => r.slug)
}

export async function insertDashboard(
  db: Db,
  values: { organization_id: string; created_by: string; name: string; slug: string; description?: string | null; tags?: string[] },
): Promise<string> {
  const row = await db.insertInto('app.dashboards').values(values).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function updateDashboard(db: Db, orgId: string, id: string, values: Updateable<AppDashboards>): Promise<void> {
  await db.updateTable('app.dashboards').set(values).where('organization_id', '=', orgId).where('id', '=', id).execute()
}

/** A copy of the dashboard (not public, no counters, no permissions) with all its widgets. */
export async function duplicateDashboard(db: Db, orgId: string, id: string, values: { name: string; slug: string; created_by: string }): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into app.dashboards (organization_id, team_id, created_by, name, slug, description, layout, theme, filters, refresh_interval, tags)
    select organization_id, team_id, ${values.created_by}, ${values.name}, ${values.slug}, description, layout, theme, filters, refresh_interval, tags
      from app.dashboards where organization_id = ${orgId} and id = ${id}
    returning id`.execute(db)
  const copy = rows[0]!.id
  await sql`
    insert into app.widgets (organization_id, dashboard_id, widget_type, title, description, position, config, data_source_id, query_config, data_query, cache_duration)
    select organization_id, ${copy}, widget_type, title, description, position, config, data_source_id, query_config, data_query, cache_duration
      from app.widgets where organization_id = ${orgId} and dashboard_id = ${id}
     order by created_at, id`.execute(db)
  return copy
}

export async function recordView(db: Db, id: string): Promise<void> {
  await sql`select private.record_dashboard_view(${id})`.execute(db)
}

export async function logUsage(
  db: Db,
  values: { organization_id: string; dashboard_id: string; user_id: string; action: 'view' | 'edit' | 'share' | 'export'; session_id: string | null; ip_address: string | null; user_agent: string | null },
): Promise<void> {
  await db.insertInto('telemetry.dashboard_usage_logs').values(values).execute()
}

export async function star(db: Db, orgId: string, userId: string, id: string): Promise<void> {
  await sql`insert into app.dashboard_stars (organization_id, user_id, dashboard_id) values (${orgId}, ${userId}, ${id}) on conflict do nothing`.execute(db)
}

export async function unstar(db: Db, userId: string, id: string): Promise<void> {
  await db.deleteFrom('app.dashboard_stars').where('user_id', '=', userId).where('dashboard_id', '=', id).execute()
}

export interface PermissionRow {
  user_id: string | null
  team_id: string | null
  permission_type: PermissionType
  granted_by: string | null
  granted_at: Date
}

export async function listPermissions(db: Db, orgId: string, id: string): Promise<PermissionRow[]> {
  return (await db
    .selectFrom('app.dashboard_permissions')
    .select(['user_id', 'team_id', 'permission_type', 'granted_by', 'granted_at'])
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', id)
    .orderBy('granted_at')
    .orderBy('id')
    .execute()) as PermissionRow[]
}

export async function replacePermissions(
  db: Db,
  orgId: string,
  id: string,
  grantedBy: string,
  entries: Array<{ userId: string | null; teamId: string | null; permission: PermissionType }>,
): Promise<void> {
  await db.deleteFrom('app.dashboard_permissions').where('organization_id', '=', orgId).where('dashboard_id', '=', id).execute()
  if (entries.length > 0) {
    await db
      .insertInto('app.dashboard_permissions')
      .values(entries.map((e) => ({ organization_id: orgId, dashboard_id: id, user_id: e.userId, team_id: e.teamId, permission_type: e.permission, granted_by: grantedBy })))
      .execute()
  }
}

export async function activeMemberIds(db: Db, orgId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) {
    return new Set()
  }
  const rows = await db.selectFrom('app.organization_members').select('user_id').where('organization_id', '=', orgId).where('user_id', 'in', userIds).execute()
  return new Set(rows.map((r) => r.user_id))
}

export async function teamIds(db: Db, orgId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) {
    return new Set()
  }
  const rows = await db.selectFrom('app.teams').select('id').where('organization_id', '=', orgId).where('id', 'in', ids).execute()
  return new Set(rows.map((r) => r.id))
}
