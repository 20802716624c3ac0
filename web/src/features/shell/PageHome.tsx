import { useRef } from 'react'
import { Navigate, useNavigate } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { useAuth } from '../auth/AuthContext.ts'
import { LoadDemoButton } from '../dashboards/PageDashboards.tsx'
import { OrganizationForm } from '../organizations/components/OrganizationForm.tsx'
import { rememberOrg, useCurrentOrg } from '../organizations/useCurrentOrg.ts'

/** "/" opens the organization used last; with none, it is the place to create the first. */
export function PageHome() {
  const auth = useAuth()
  const navigate = useNavigate()
  const { org } = useCurrentOrg()
  // Where to go once the organization just made (the demo) is known: refreshing the session
  // re-renders this page with it before the caller could navigate.
  const landing = useRef<string | undefined>(undefined)
  if (org) {
    return <Navigate to={landing.current ?? `/orgs/${org.id}/members`} replace />
  }
  const pending = auth.organizations.filter((candidate) => candidate.status === 'pending')
  return (
    <div className="page page--narrow">
      <PageHeader title={`Welcome${auth.user ? `, ${auth.user.name}` : ''}`} description="Tessera organizes everything in organizations: dashboards, data sources, teams and API keys live inside one." />
      {pending.length > 0 ? (
        <Alert tone="info" title="You have pending invitations">
          <p>Open the invitation link in your email to join {pending.map((candidate) => candidate.name).join(', ')}.</p>
        </Alert>
      ) : null}
      <div className="stack stack--roomy">
        <div className="card">
          <h2>Create your first organization</h2>
          <p className="muted">You will be its owner. Joining an existing organization instead? Ask one of its admins to invite {auth.user?.email ?? 'you'}; the invitation arrives by email.</p>
          <OrganizationForm
            onCreated={async (created) => {
              rememberOrg(created.id)
              await auth.refresh()
              navigate(`/orgs/${created.id}/members`)
            }}
          />
        </div>
        <div className="card">
          <h2>Or look around first</h2>
          <p className="muted">Load a demo organization with 30 days of generated product metrics, pipelines, workflow runs and orders, and a ready-made dashboard for each.</p>
          <LoadDemoButton
            onLoaded={async (organizationId) => {
              landing.current = `/orgs/${organizationId}/dashboards`
              rememberOrg(organizationId)
              await auth.refresh()
            }}
          />
        </div>
      </div>
    </div>
  )
}
