export interface AuditEntry {
  id: string
  createdAt: string
  tableName: string
  recordId: string | null
  action: string
  eventType: string
  eventCategory: string
  severity: string
  userId: string | null
  userEmail: string | null
  organizationId: string | null
  ipAddress: string | null
  changedFields: string[] | null
  oldValues: unknown
  newValues: unknown
  eventDetails: unknown
  requestId: string | null
}

export interface AuditPage {
  entries: AuditEntry[]
  nextCursor: string | null
  from: string
  to: string
}

export interface AuditFilters {
  actor: string
  resource: string
  action: string
  from: string
  to: string
}

export const EMPTY_FILTERS: AuditFilters = { actor: '', resource: '', action: '', from: '', to: '' }
