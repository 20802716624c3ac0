import type { FastifyRequest } from 'fastify'
import { requireUserId, withOrg, type OrgRole } from '../../platform/auth.ts'
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

export function asOrgRole(value: string): OrgRole {
  if (value === 'owner' || value === 'admin' || value === 'member' || value === 'viewer') {
    return value
  }
  throw new Error(`unexpected organization role ${value}`)
}
