import type { FastifyRequest } from 'fastify'
import type { Updateable } from 'kysely'
import type { AppDashboards } from '../../platform/db.generated.ts'
import type { Db } from '../../platform/db.ts'
import { AppError, forbidden, notFound } from '../../platform/errors.ts'
import { recordVersion } from '../dashboard-versions/dashboard-versions.record.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import * as repo from './dashboards.repository.ts'
import type { DashboardRow } from './dashboards.repository.ts'
import type { CreateDashboardBody, DashboardListQuery, DashboardResponse, PermissionsBody, PermissionsResponse, PermissionType, UpdateDashboardBody } from './dashboards.schema.ts'

/** Deleted dashboards can be restored for this long (issue 5). */
export const RESTORE_WINDOW_DAYS = 30

const LEVELS: PermissionType[] = ['view', 'edit', 'admin']
type Level = 0 | 1 | 2 | 3

/**
 * The caller's permission on one dashboard (docs/permissions.md, "Dashboards"):
 * organization owners and admins: admin; viewers: at most view; the creator: admin;
 * otherwise the highest grant to the user or one of their teams; a dashboard without any
 * explicit permission is visible (view) to every member; 0 means no access (404).
 */
export function levelOf(actor: OrgActor, row: DashboardRow): Level {
  if (actor.role === 'owner' || actor.role === 'admin') {
    return 3
  }
  let level: number = row.created_by === actor.userId ? 3 : (row.granted ?? 0)
  if (level === 0 && !row.restricted) {
    level = 1
  }
  if (actor.role === 'viewer') {
    level = Math.min(level, 1)
  }
  return level as Level
}

const iso = (value: Date | null) => (value ? value.toISOString() : null)

function toResponse(actor: OrgActor, row: DashboardRow): DashboardResponse {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    tags: row.tags,
    layout: row.layout,
    theme: row.theme,
    filters: row.filters,
    refreshInterval: row.refresh_interval,
    isPublic: row.is_public,
    restricted: row.restricted,
    publicTokenPrefix: row.is_public ? row.public_token_prefix : null,
    publicAllowViewerChanges: row.is_public && row.public_allow_viewer_changes,
    viewCount: row.view_count,
    lastViewedAt: iso(row.last_viewed_at),
    createdBy: row.created_by,
    teamId: row.team_id,
    starred: row.starred,
    permission: LEVELS[Math.max(levelOf(actor, row), 1) - 1]!,
    deletedAt: iso(row.deleted_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

/** Loads a live dashboard the caller may see at `needed`: 404 when they can't see it at all, 403 when they see it but lack the level. */
export async function load(db: Db, actor: OrgActor, id: string, needed: Level, options: { deleted?: boolean } = {}): Promise<DashboardRow> {
  const row = await repo.findDashboard(db, actor.orgId, actor.userId, id)
  if (!row || (row.deleted_at !== null) !== (options.deleted ?? false)) {
    throw notFound('dashboard')
  }
  const level = levelOf(actor, row)
  if (level === 0) {
    throw notFound('dashboard')
  }
  if (level < needed) {
    throw forbidden(`This needs the ${LEVELS[needed - 1]} permission on the dashboard`)
  }
  return row
}

export async function reload(db: Db, actor: OrgActor, id: string): Promise<DashboardResponse> {
  const row = await repo.findDashboard(db, actor.orgId, actor.userId, id)
  return toResponse(actor, row!)
}

export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '')
  return base || 'dashboard'
}

/** The name's slug, with the first free numeric suffix (-2, -3, …) when taken in the organization. */
async function freeSlug(db: Db, orgId: string, name: string): Promise<string> {
  await repo.lockSlugs(db, orgId)
  const base = slugify(name)
  const taken = new Set(await repo.slugsLike(db, orgId, base))
  if (!taken.has(base)) {
    return base
  }
  for (let n = 2; ; n++) {
    if (!taken.has(`${base}-${n}`)) {
      return `${base}-${n}`
    }
  }
}

export const cleanTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))]

/** A new dashboard row (slug from the name, de-duplicated) without a version: its caller records one. */
export async function insertNewDashboard(db: Db, actor: OrgActor, body: CreateDashboardBody): Promise<string> {
  const name = body.name.trim()
  if (!name) {
    throw new AppError('validation_failed', 400, 'name must not be blank', { details: [{ field: 'name', message: 'must not be blank' }] })
  }
  const slug = await freeSlug(db, actor.orgId, name)
  return repo.insertDashboard(db, { organization_id: actor.orgId, created_by: actor.userId, name, slug, description: body.description ?? null, tags: cleanTags(body.tags ?? []) })
}

export async function createDashboard(db: Db, actor: OrgActor, body: CreateDashboardBody): Promise<DashboardResponse> {
  const id = await insertNewDashboard(db, actor, body)
  await recordVersion(db, actor, id, 'Created')
  return reload(db, actor, id)
}

export async function listDashboards(db: Db, actor: OrgActor, query: DashboardListQuery): Promise<{ dashboards: DashboardResponse[]; total: number }> {
  const manager = actor.role === 'owner' || actor.role === 'admin'
  const { rows, total } = await repo.listDashboards(db, actor.orgId, actor.userId, manager, query)
  // The deleted list is for those who may restore (admin permission).
  const visible = query.deleted ? rows.filter((row) => levelOf(actor, row) === 3) : rows
  return { dashboards: visible.map((row) => toResponse(actor, row)), total: query.deleted ? visible.length : total }
}

export interface ViewContext {
  sessionId: string | null
  ip: string | null
  userAgent: string | null
}

export function viewContext(request: FastifyRequest): ViewContext {
  const actor = request.actor
  const sessionId = actor.kind === 'session' ? actor.sessionId : actor.kind === 'apiKey' ? `api-key:${actor.keyId}` : null
  const userAgent = request.headers['user-agent']
  return { sessionId, ip: request.ip || null, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 1000) : null }
}

/** A dashboard; reading it counts a view (view_count, last_viewed_at) and logs it in dashboard_usage_logs. */
export async function getDashboard(db: Db, actor: OrgActor, id: string, view: ViewContext): Promise<DashboardResponse> {
  await load(db, actor, id, 1)
  await repo.recordView(db, id)
  await repo.logUsage(db, { organization_id: actor.orgId, dashboard_id: id, user_id: actor.userId, action: 'view', session_id: view.sessionId, ip_address: view.ip, user_agent: view.userAgent })
  return reload(db, actor, id)
}

export async function updateDashboard(db: Db, actor: OrgActor, id: string, body: UpdateDashboardBody, view: ViewContext): Promise<DashboardResponse> {
  const row = await load(db, actor, id, 2)
  const values: Updateable<AppDashboards> = {}
  if (body.name !== undefined) {
    const name = body.name.trim()
    if (!name) {
      throw new AppError('validation_failed', 400, 'name must not be blank', { details: [{ field: 'name', message: 'must not be blank' }] })
    }
    values.name = name
  }
  if (body.description !== undefined) values.description = body.description
  if (body.tags !== undefined) values.tags = cleanTags(body.tags)
  if (body.theme !== undefined) values.theme = JSON.stringify({ ...(row.theme as object), ...body.theme })
  if (body.filters !== undefined) values.filters = JSON.stringify(body.filters)
  if (body.layout !== undefined) values.layout = JSON.stringify({ grid: { cols: 12, rows: 10 }, widgets: [], ...body.layout })
  if (body.refreshInterval !== undefined) values.refresh_interval = body.refreshInterval
  if (Object.keys(values).length > 0) {
    await repo.updateDashboard(db, actor.orgId, id, values)
    await repo.logUsage(db, { organization_id: actor.orgId, dashboard_id: id, user_id: actor.userId, action: 'edit', session_id: view.sessionId, ip_address: view.ip, user_agent: view.userAgent })
    await recordVersion(db, actor, id)
  }
  return reload(db, actor, id)
}

/** Soft delete (admin permission): restorable for RESTORE_WINDOW_DAYS. */
export async function deleteDashboard(db: Db, actor: OrgActor, id: string): Promise<void> {
  await load(db, actor, id, 3)
  await repo.updateDashboard(db, actor.orgId, id, { deleted_at: new Date() })
}

export async function restoreDashboard(db: Db, actor: OrgActor, id: string): Promise<DashboardResponse> {
  const row = await load(db, actor, id, 3, { deleted: true })
  if (row.deleted_at!.getTime() < Date.now() - RESTORE_WINDOW_DAYS * 86_400_000) {
    throw new AppError('restore_window_expired', 410, `Deleted dashboards can be restored for ${RESTORE_WINDOW_DAYS} days; this one was deleted on ${row.deleted_at!.toISOString()}`)
  }
  await repo.updateDashboard(db, actor.orgId, id, { deleted_at: null })
  return reload(db, actor, id)
}

/** A copy with all its widgets, owned by the caller (who needs only to see the original). */
export async function duplicateDashboard(db: Db, actor: OrgActor, id: string, body: { name?: string }): Promise<DashboardResponse> {
  const row = await load(db, actor, id, 1)
  const name = (body.name?.trim() || `${row.name} (copy)`).slice(0, 255)
  const slug = await freeSlug(db, actor.orgId, name)
  const copy = await repo.duplicateDashboard(db, actor.orgId, id, { name, slug, created_by: actor.userId })
  await recordVersion(db, actor, copy, `Duplicated from “${row.name}”`)
  return reload(db, actor, copy)
}

export async function setStar(db: Db, actor: OrgActor, id: string, starred: boolean): Promise<void> {
  await load(db, actor, id, 1)
  if (starred) {
    await repo.star(db, actor.orgId, actor.userId, id)
  } else {
    await repo.unstar(db, actor.userId, id)
  }
}

export async function getPermissions(db: Db, actor: OrgActor, id: string): Promise<PermissionsResponse> {
  await load(db, actor, id, 3)
  const rows = await repo.listPermissions(db, actor.orgId, id)
  return {
    permissions: rows.map((r) => ({ userId: r.user_id, teamId: r.team_id, permission: r.permission_type, grantedBy: r.granted_by, grantedAt: r.granted_at.toISOString() })),
  }
}

const invalidEntry = (index: number, message: string) =>
  new AppError('validation_failed', 400, `permissions/${index} ${message}`, { details: [{ field: `permissions/${index}`, message }] })

/** Replaces the dashboard's explicit permissions (admin permission). An empty list makes it visible to every member again. */
export async function putPermissions(db: Db, actor: OrgActor, id: string, body: PermissionsBody): Promise<PermissionsResponse> {
  await load(db, actor, id, 3)
  const entries = body.permissions.map((entry, index) => {
    if ((entry.userId === undefined) === (entry.teamId === undefined)) {
      throw invalidEntry(index, 'needs exactly one of userId and teamId')
    }
    return { userId: entry.userId?.toLowerCase() ?? null, teamId: entry.teamId?.toLowerCase() ?? null, permission: entry.permission }
  })
  const seen = new Set<string>()
  entries.forEach((e, index) => {
    const key = e.userId ? `u:${e.userId}` : `t:${e.teamId}`
    if (seen.has(key)) throw invalidEntry(index, 'names a user or team twice')
    seen.add(key)
  })
  const members = await repo.activeMemberIds(db, actor.orgId, entries.flatMap((e) => (e.userId ? [e.userId] : [])))
  const teams = await repo.teamIds(db, actor.orgId, entries.flatMap((e) => (e.teamId ? [e.teamId] : [])))
  entries.forEach((e, index) => {
    if (e.userId && !members.has(e.userId)) throw invalidEntry(index, 'userId is not a member of the organization')
    if (e.teamId && !teams.has(e.teamId)) throw invalidEntry(index, 'teamId is not a team of the organization')
  })
  await repo.replacePermissions(db, actor.orgId, id, actor.userId, entries)
  return getPermissions(db, actor, id)
}

export async function clearPermissions(db: Db, actor: OrgActor, id: string): Promise<void> {
  await load(db, actor, id, 3)
  await repo.replacePermissions(db, actor.orgId, id, actor.userId, [])
}
