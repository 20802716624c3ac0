import type { FastifyRequest } from 'fastify'
import { sharedAccessCache } from '../../platform/auth-cache.ts'
import { assertOrgReachable, requireUserId, withOrg, type OrgRole } from '../../platform/auth.ts'
import type { Trx } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'

/** Who acts inside one organization: the user (a session's, or an API key's creator) and their role there. */
export interface OrgActor {
  userId: string
  orgId: string
  role: OrgRole
}

export const MANAGERS: OrgRole[] = ['owner', 'admin']

/**
 * `withOrg` handing the service an OrgActor. Membership, API-key binding and the role check
 * happen in withOrg: another organization's id answers 404, a role not in `roles` 403.
 */
export function withOrgActor<T>(
  services: Services,
  request: FastifyRequest,
  orgId: string,
  fn: (trx: Trx, actor: OrgActor) => Promise<T>,
  options: { roles?: OrgRole[] } = {},
): Promise<T> {
  const userId = requireUserId(request)
  return withOrg(services, request, orgId, (trx, role) => fn(trx, { userId, orgId: orgId.toLowerCase(), role }), options)
}

/**
 * A read-only access decision inside an organization (membership, role, then `check`, e.g.
 * "may see this dashboard"), reused for a few seconds when it succeeded: the process's access
 * cache (platform/auth-cache.ts) drops it when the membership, a team, a permission or a
 * dashboard of the organization changes. `key` names what `check` decides about; a refusal
 * (404, 403) is never cached. `check` runs in withOrg's transaction and returns only what the
 * caller needs afterwards, never rows a later change could make stale without a notification.
 */
export async function cachedOrgAccess<T>(
  services: Services,
  request: FastifyRequest,
  orgId: string,
  key: string,
  check: (trx: Trx, actor: OrgActor) => Promise<T>,
): Promise<{ actor: OrgActor; value: T }> {
  const userId = requireUserId(request)
  assertOrgReachable(request, orgId)
  const org = orgId.toLowerCase()
  const decided = await sharedAccessCache(services).through(
    `org:${userId}|${org}|${key}`,
    () => withOrgActor(services, request, orgId, async (trx, actor) => ({ actor, value: await check(trx, actor) })),
    () => ({ userId, orgId: org }),
  )
  // withOrg records the organization on a fresh decision; a reused one proves the same membership.
  request.memberOrgId = org
  return decided!
}

export function asOrgRole(value: string): OrgRole {
  if (value === 'owner' || value === 'admin' || value === 'member' || value === 'viewer') {
    return value
  }
  throw new Error(`unexpected organization role ${value}`)
}
