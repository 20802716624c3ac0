import { Alert } from '../../components/Alert.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { canManage } from '../organizations/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { AuditLog } from './components/AuditLog.tsx'

export function PageOrgAudit() {
  const { org } = useOrg()
  if (!canManage(org.role)) {
    return (
      <div className="page page--narrow">
        <PageHeader title="Audit log" />
        <Alert tone="info" title="Only owners and admins can read the audit log">
          <p>Ask an owner or admin of {org.name} if you need to know who changed something.</p>
        </Alert>
      </div>
    )
  }
  return (
    <div className="page">
      <PageHeader title="Audit log" description={`Who changed what in ${org.name}, newest first.`} />
      <AuditLog path={`/orgs/${org.id}/audit`} />
    </div>
  )
}
