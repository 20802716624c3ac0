import { useMatch } from 'react-router-dom'
import { useAuth } from '../auth/AuthContext.ts'
import type { OrganizationMembership } from '../auth/types.ts'

const LAST_ORG_KEY = 'tessera.lastOrgId'

export function rememberOrg(orgId: string): void {
  try {
    localStorage.setItem(LAST_ORG_KEY, orgId)
  } catch {
    // Storage can be disabled (private mode); the fallback is the first organization.
  }
}

function lastOrgId(): string | null {
  try {
    return localStorage.getItem(LAST_ORG_KEY)
  } catch {
    return null
  }
}

/** Organizations the user can open (pending memberships are listed but not entered). */
export function activeOrganizations(organizations: OrganizationMembership[]): OrganizationMembership[] {
  return organizations.filter((org) => org.status === 'active' || org.status === undefined)
}

/**
 * The organization in the URL (/orgs/:orgId/…), or outside org pages the one used last,
 * so the nav still offers the org section on /account and /admin.
 */
export function useCurrentOrg(): { orgId: string | undefined; org: OrganizationMembership | undefined; inOrgRoute: boolean } {
  const { organizations } = useAuth()
  const match = useMatch('/orgs/:orgId/*')
  const urlOrgId = match?.params.orgId
  if (urlOrgId && urlOrgId !== 'new') {
    return { orgId: urlOrgId, org: organizations.find((org) => org.id === urlOrgId), inOrgRoute: true }
  }
  const active = activeOrganizations(organizations)
  const remembered = lastOrgId()
  const org = active.find((candidate) => candidate.id === remembered) ?? active[0]
  return { orgId: org?.id, org, inOrgRoute: false }
}
