import type { FastifyRequest } from 'fastify'
import { sha256 } from '../../platform/crypto.ts'
import { withContext, type Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import type { DashboardRow } from '../dashboards/dashboards.repository.ts'
import { load } from '../dashboards/dashboards.service.ts'
import { sharedDashboardDataCache } from '../dashboards/data-cache.ts'
import { dashboardData, listWidgets } from '../dashboards/widgets.service.ts'
import { inTransaction } from '../widget-data/widget-data.service.ts'
import { asOrgRole, type OrgActor } from '../organizations/org-actor.ts'
import { savedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { readEmbed, signedBy } from './embed-token.ts'
import { resolveRange, savedRange, stringFilters, toPublicData, toPublicDashboard, widgetKeys, type ShareAccess } from './public-payload.ts'
import * as repo from './sharing.repository.ts'
import type { PublicDashboard, PublicDashboardData, SharedDataQuery } from './sharing.schema.ts'
import { openEmbedKey, PUBLIC_TOKEN_PATTERN } from './sharing.service.ts'

/**
 * The viewer side of public links and signed embeds. A token is resolved before any tenant
 * context (SECURITY DEFINER lookups, db/migrations/0240 and 0241); everything else runs inside
 * the organization's tenant context as the user the data is read as: the dashboard's creator
 * while they are an active member who can still see it, otherwise an owner of the organization.
 */

const VIEW = 1

/** Unknown, revoked and malformed tokens all get exactly this answer. */
export const publicNotFound = () => new AppError('public_dashboard_not_found', 404, 'This dashboard link does not exist or is no longer shared')
const embedInvalid = () => new AppError('embed_invalid', 403, 'This embed link is not valid; ask the dashboard owner for a new one')
const locked = (what: string) => new AppError('public_view_locked', 403, `The ${what} of this shared dashboard ${what === 'filters' ? 'are' : 'is'} set by its owner and cannot be changed here`)

/** What one link opens and what its viewers may change. */
export type SharedGrant =
  | { kind: 'public'; target: repo.ShareTarget; tokenHash: string }
  | { kind: 'embed'; target: repo.ShareTarget; filters: Record<string, string>; range: { from: string; to: string } | null }

export async function openPublicLink(services: Services, token: string): Promise<SharedGrant> {
  if (!PUBLIC_TOKEN_PATTERN.test(token)) throw publicNotFound()
  const tokenHash = sha256(token)
  const target = await repo.publicTarget(services.db, tokenHash)
  if (!target) throw publicNotFound()
  return { kind: 'public', target, tokenHash }
}

/** Verifies the signature with the organization's current key, then the expiry (so a forged expiry is 403, not 410). */
export async function openEmbed(services: Services, token: string): Promise<SharedGrant> {
  const read = readEmbed(token)
  if (!read) throw embedInvalid()
  const row = await repo.embedSigningKey(services.db, read.claims.org)
  if (!row || row.key_version !== read.claims.keyVersion) throw embedInvalid()
  let key: Buffer
  try {
    key = openEmbedKey(services.box, read.claims.org, row)
  } catch (error) {
    throw new AppError('embed_invalid', 403, 'This embed link is not valid; ask the dashboard owner for a new one', { cause: error })
  }
  if (!signedBy(key, read.body, read.mac)) throw embedInvalid()
  if (read.claims.exp * 1000 <= Date.now()) {
    throw new AppError('embed_expired', 410, 'This embed link has expired; ask the dashboard owner for a new one')
  }
  const target = await repo.embedTarget(services.db, read.claims.org, read.claims.dashboard)
  if (!target) throw publicNotFound()
  return { kind: 'embed', target, filters: read.claims.filters, range: read.claims.range }
}

/** The first candidate user who is an active member and can see the dashboard, with the dashboard. */
async function dataActor(trx: Trx, target: repo.ShareTarget): Promise<{ actor: OrgActor; dashboard: DashboardRow }> {
  const candidates = [...new Set([target.creator_id, target.owner_id].filter((id): id is string => id !== null))]
  for (const userId of candidates) {
    const role = await repo.actAs(trx, userId)
    if (!role) continue
    const actor: OrgActor = { userId, orgId: target.organization_id, role: asOrgRole(role) }
    try {
      return { actor, dashboard: await load(trx, actor, target.dashboard_id, VIEW) }
    } catch (error) {
      if (error instanceof AppError && (error.code === 'not_found' || error.code === 'forbidden')) continue
      throw error
    }
  }
  throw publicNotFound()
}

async function accessOf(trx: Trx, grant: SharedGrant, dashboard: DashboardRow): Promise<ShareAccess> {
  const saved = stringFilters(dashboard.filters)
  if (grant.kind === 'embed') {
    return {
      allowViewerChanges: false,
      locks: { range: grant.range !== null, filters: true },
      range: grant.range ?? savedRange(dashboard.layout),
      filters: { ...saved, ...grant.filters },
    }
  }
  // Re-read inside the tenant: a link regenerated or revoked since the lookup no longer opens.
  const state = await repo.publicLinkState(trx, dashboard.organization_id, dashboard.id)
  if (!state?.is_public || state.public_token_hash !== grant.tokenHash) throw publicNotFound()
  const allow = state.public_allow_viewer_changes
  return { allowViewerChanges: allow, locks: { range: !allow, filters: !allow }, range: savedRange(dashboard.layout), filters: saved }
}

interface Opened {
  trx: Trx
  actor: OrgActor
  dashboard: DashboardRow
  access: ShareAccess
}

function withSharedDashboard<T>(services: Services, request: FastifyRequest, grant: SharedGrant, fn: (opened: Opened) => Promise<T>): Promise<T> {
  const { target } = grant
  const userAgent = request.headers['user-agent']
  const context = { orgId: target.organization_id, userId: target.creator_id ?? target.owner_id, ip: request.ip, requestId: request.id, sessionId: `${grant.kind}-link`, userAgent }
  return withContext(services.db, context, async (trx) => {
    const { actor, dashboard } = await dataActor(trx, target)
    const access = await accessOf(trx, grant, dashboard)
    return fn({ trx, actor, dashboard, access })
  })
}

/** The allowlisted payload; opening it counts a view of the dashboard (anonymous in the usage log). */
export function sharedPayload(services: Services, request: FastifyRequest, grant: SharedGrant): Promise<PublicDashboard> {
  return withSharedDashboard(services, request, grant, async ({ trx, actor, dashboard, access }) => {
    const { widgets } = await listWidgets(trx, actor, dashboard.id)
    await repo.recordView(trx, dashboard.id)
    const userAgent = request.headers['user-agent']
    await repo.logUsage(trx, {
      organization_id: dashboard.organization_id,
      dashboard_id: dashboard.id,
      user_id: null,
      action: 'view',
      session_id: `${grant.kind}-link`,
      ip_address: request.ip || null,
      user_agent: typeof userAgent === 'string' ? userAgent.slice(0, 1000) : null,
    })
    return toPublicDashboard(dashboard, widgets, access)
  })
}

/**
 * Every widget's data, keyed like the payload. Locked parts refuse viewer values with 403
 * public_view_locked; the time zone is always the viewer's choice.
 */
export function sharedData(services: Services, request: FastifyRequest, grant: SharedGrant, query: SharedDataQuery, cacheTtlSeconds: number): Promise<PublicDashboardData> {
  return withSharedDashboard(services, request, grant, async ({ trx, actor, dashboard, access }) => {
    const viewerRange = query.from !== undefined || query.to !== undefined || query.range !== undefined
    if (viewerRange && access.locks.range) throw locked('time range')
    if (query.filters !== undefined && access.locks.filters) throw locked('filters')
    if (query.range !== undefined && (query.from !== undefined || query.to !== undefined)) {
      throw new AppError('invalid_time_range', 400, 'Give either range (a window ending now, e.g. 24h) or from and to, not both')
    }
    const range = query.range !== undefined ? resolveRange({ relative: query.range }) : viewerRange ? { from: query.from, to: query.to } : resolveRange(access.range)
    const filters = query.filters ?? JSON.stringify(access.filters)
    // Every viewer of the same shared view gets one computation (the members' data cache).
    const rangeKey = query.range ?? (viewerRange ? [query.from, query.to] : access.range)
    const aboutNow = query.range !== undefined || (viewerRange ? query.to === undefined : 'relative' in access.range)
    const key = JSON.stringify([dashboard.id, dashboard.updated_at.toISOString(), rangeKey, query.tz, filters])
    const data = await sharedDashboardDataCache(services).answer(dashboard.organization_id, key, aboutNow, () =>
      dashboardData(
        inTransaction(trx),
        actor,
        dashboard.id,
        {
          ...(range.from !== undefined && { from: range.from }),
          ...(range.to !== undefined && { to: range.to }),
          ...(query.tz !== undefined && { tz: query.tz }),
          filters,
        },
        cacheTtlSeconds,
        savedQueryRunContext(services),
      ))
    const { widgets } = await listWidgets(trx, actor, dashboard.id)
    return toPublicData(data, widgetKeys(widgets))
  })
}

/** Codes a viewer can act on keep their message; the rest keep their code but say nothing of the internals. */
const PASS_THROUGH = new Set(['public_dashboard_not_found', 'public_view_locked', 'embed_invalid', 'embed_expired', 'invalid_time_range', 'invalid_time_zone', 'invalid_filters', 'validation_failed', 'rate_limited'])

export async function publicSafe<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (!(error instanceof AppError) || PASS_THROUGH.has(error.code)) throw error
    if (error.code === 'not_found' || error.code === 'forbidden') throw publicNotFound()
    throw new AppError(error.code, error.statusCode, 'This shared dashboard cannot be shown right now', { cause: error })
  }
}
