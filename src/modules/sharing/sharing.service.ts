import { randomBytes } from 'node:crypto'
import { sha256, type SecretBox } from '../../platform/crypto.ts'
import type { Db } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import { load, type ViewContext } from '../dashboards/dashboards.service.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { signEmbed } from './embed-token.ts'
import * as repo from './sharing.repository.ts'
import type { EmbedUrlBody, EmbedUrlResponse, PublicLinkBody, PublicLinkResponse } from './sharing.schema.ts'

/** Public link tokens: a recognisable prefix and 32 bytes from the CSPRNG (256 bits). */
export const PUBLIC_TOKEN_PREFIX = 'tsp_'
export const PUBLIC_TOKEN_PATTERN = /^tsp_[A-Za-z0-9_-]{43}$/
/** How much of the token is kept to recognise it: the prefix and 8 characters (48 of its 256 bits). */
const DISPLAY_PREFIX_LENGTH = PUBLIC_TOKEN_PREFIX.length + 8
const ADMIN = 3
const DEFAULT_EMBED_SECONDS = 86_400

const usage = (actor: OrgActor, dashboardId: string, view: ViewContext) => ({
  organization_id: actor.orgId,
  dashboard_id: dashboardId,
  user_id: actor.userId,
  action: 'share' as const,
  session_id: view.sessionId,
  ip_address: view.ip,
  user_agent: view.userAgent,
})

/**
 * Creates the dashboard's public link, or replaces it: the previous token stops working at
 * once (only the new token's SHA-256 is stored). Needs the admin permission on the dashboard.
 */
export async function createPublicLink(db: Db, actor: OrgActor, publicUrl: string, dashboardId: string, body: PublicLinkBody, view: ViewContext): Promise<PublicLinkResponse> {
  await load(db, actor, dashboardId, ADMIN)
  const token = PUBLIC_TOKEN_PREFIX + randomBytes(32).toString('base64url')
  const prefix = token.slice(0, DISPLAY_PREFIX_LENGTH)
  const allowViewerChanges = body.allowViewerChanges ?? false
  await repo.setPublicLink(db, actor.orgId, dashboardId, { hash: sha256(token), prefix, allowViewerChanges })
  await repo.logUsage(db, usage(actor, dashboardId, view))
  return { token, url: `${publicUrl}/public/${token}`, prefix, allowViewerChanges }
}

/** Revokes the public link (idempotent): the token answers 404 from now on. */
export async function revokePublicLink(db: Db, actor: OrgActor, dashboardId: string, view: ViewContext): Promise<void> {
  const dashboard = await load(db, actor, dashboardId, ADMIN)
  if (!dashboard.is_public) return
  await repo.setPublicLink(db, actor.orgId, dashboardId, null)
  await repo.logUsage(db, usage(actor, dashboardId, view))
}

/** The associated data binds a sealed key to its organization and version: moved or replayed, it does not open. */
const keyAad = (orgId: string, version: number) => `app.embed_signing_keys:${orgId}:${version}`

export function openEmbedKey(box: SecretBox, orgId: string, row: repo.EmbedKeyRow): Buffer {
  return Buffer.from(box.decrypt(row.sealed_key, keyAad(orgId, row.key_version)), 'base64')
}

function sealNewKey(box: SecretBox, orgId: string, version: number): string {
  return box.encrypt(randomBytes(32).toString('base64'), keyAad(orgId, version))
}

/** The organization's embed signing key, created on first use. */
async function embedKey(db: Db, box: SecretBox, actor: OrgActor): Promise<{ version: number; key: Buffer }> {
  let row = await repo.findEmbedKey(db, actor.orgId)
  if (!row) {
    await repo.insertEmbedKey(db, { organization_id: actor.orgId, key_version: 1, sealed_key: sealNewKey(box, actor.orgId, 1), created_by: actor.userId })
    row = (await repo.findEmbedKey(db, actor.orgId))!
  }
  return { version: row.key_version, key: openEmbedKey(box, actor.orgId, row) }
}

/**
 * A signed, expiring embed URL of the dashboard (admin permission). The filters and the range
 * given here are locked into the signature; without a range, viewers may change the range.
 */
export async function createEmbedUrl(db: Db, box: SecretBox, actor: OrgActor, publicUrl: string, dashboardId: string, body: EmbedUrlBody, view: ViewContext): Promise<EmbedUrlResponse> {
  await load(db, actor, dashboardId, ADMIN)
  if ((body.from === undefined) !== (body.to === undefined)) {
    throw new AppError('invalid_time_range', 400, 'Give both from and to to lock a time range, or neither to let viewers choose it')
  }
  const range = body.from !== undefined && body.to !== undefined ? { from: new Date(body.from).toISOString(), to: new Date(body.to).toISOString() } : null
  if (range && Date.parse(range.from) >= Date.parse(range.to)) {
    throw new AppError('invalid_time_range', 400, 'from must be before to')
  }
  const { version, key } = await embedKey(db, box, actor)
  const exp = Math.floor(Date.now() / 1000) + (body.expiresInSeconds ?? DEFAULT_EMBED_SECONDS)
  const token = signEmbed(key, { org: actor.orgId, dashboard: dashboardId.toLowerCase(), exp, filters: body.filters ?? {}, range, keyVersion: version })
  await repo.logUsage(db, usage(actor, dashboardId, view))
  return { url: `${publicUrl}/embed/${token}`, expiresAt: new Date(exp * 1000).toISOString() }
}

/** Replaces the organization's embed key (owners and admins): every embed URL signed before stops working. */
export async function rotateEmbedKey(db: Db, box: SecretBox, actor: OrgActor): Promise<void> {
  const current = await repo.findEmbedKey(db, actor.orgId, true)
  const version = (current?.key_version ?? 0) + 1
  await repo.insertEmbedKey(db, { organization_id: actor.orgId, key_version: version, sealed_key: sealNewKey(box, actor.orgId, version), created_by: actor.userId })
  await repo.deleteEmbedKeysBefore(db, actor.orgId, version)
}
