import { PageHeader } from '../../components/PageHeader.tsx'
import { AuditLog } from '../audit/components/AuditLog.tsx'

export function PageAdminAudit() {
  return (
    <div className="page">
      <PageHeader title="Instance audit log" description="Every recorded change and security event across all organizations, newest first." />
      <AuditLog path="/admin/audit" showOrganization />
    </div>
  )
}
