import { useEffect, useRef, useState } from 'react'
import { Link, Outlet, useOutletContext, useParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Spinner } from '../../components/Loading.tsx'
import { useAuth } from '../auth/AuthContext.ts'
import type { OrganizationMembership } from '../auth/types.ts'
import { rememberOrg } from './useCurrentOrg.ts'

export interface OrgContext {
  org: OrganizationMembership
}

/** Wraps /orgs/:orgId/*: resolves the membership from GET /me and hands it to the pages. */
export function OrgLayout() {
  const { orgId = '' } = useParams()
  const auth = useAuth()
  const org = auth.organizations.find((candidate) => candidate.id === orgId)
  const refreshed = useRef(false)
  const [refreshing, setRefreshing] = useState(false)

  useEffect(() => {
    if (org) {
      rememberOrg(org.id)
      return
    }
    // A membership created in another tab (or an invitation just accepted) isn't in /me yet.
    if (!refreshed.current) {
      refreshed.current = true
      setRefreshing(true)
      void auth.refresh().finally(() => setRefreshing(false))
    }
  }, [org, auth])

  if (!org) {
    if (refreshing || !refreshed.current) {
      return <Spinner label="Opening organization…" />
    }
    return (
      <div className="page page--narrow">
        <Alert tone="error" title="Organization not found">
          <p>It doesn't exist, or you are not a member of it. Ask one of its owners or admins to invite you.</p>
          <p>
            <Link to="/">Go to your organizations</Link> or <Link to="/orgs/new">create a new one</Link>.
          </p>
        </Alert>
      </div>
    )
  }
  if (org.status === 'pending') {
    return (
      <div className="page page--narrow">
        <Alert tone="info" title={`Your membership in ${org.name} is pending`}>
          <p>Accept the invitation from your email to get access, or ask an admin of the organization.</p>
        </Alert>
      </div>
    )
  }
  return <Outlet context={{ org } satisfies OrgContext} />
}

export function useOrg(): OrgContext {
  return useOutletContext<OrgContext>()
}
