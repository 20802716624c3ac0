import { useNavigate } from 'react-router-dom'
import { PageHeader } from '../../components/PageHeader.tsx'
import { useAuth } from '../auth/AuthContext.ts'
import { OrganizationForm } from './components/OrganizationForm.tsx'
import { rememberOrg } from './useCurrentOrg.ts'

export function PageCreateOrganization() {
  const auth = useAuth()
  const navigate = useNavigate()
  return (
    <div className="page page--narrow">
      <PageHeader title="Create an organization" description="Organizations hold your dashboards, data sources, teams and API keys. You become its owner and can invite others." />
      <div className="card">
        <OrganizationForm
          onCreated={async (org) => {
            rememberOrg(org.id)
            await auth.refresh()
            navigate(`/orgs/${org.id}/members`)
          }}
          onCancel={() => navigate(-1)}
        />
      </div>
    </div>
  )
}
