import type { Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import { listAudit, type AuditFilters, type AuditRow } from './audit.repository.ts'
import type { AuditEntryResponse, AuditQuery } from './audit.schema.ts'

const DEFAULT_WINDOW_MS = 30 * 24 * 60 * 60 * 1000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ROW_ACTIONS = new Set(['INSERT', 'UPDATE', 'DELETE', 'EVENT'])

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', 400, `${field} ${message}`, { details: [{ field: `querystring.${field}`, message }] })
}

export function encodeCursor(row: Pick<AuditRow, 'created_at_exact' | 'id'>): string {
  return Buffer.from(`${row.created_at_exact}|${row.id}`, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!createdAt || !id || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(createdAt) || !/^\d{1,19}$/.test(id)) {
    throw invalid('cursor', 'is not a cursor returned by this endpoint')
  }
  return { createdAt, id }
}

/**
 * Turns the query string into repository filters. The time window is always explicit
 * (default: the 30 days before `to`) so the query touches only the partitions it needs.
 */
export function auditFilters(query: AuditQuery, now = new Date()): AuditFilters {
  const to = query.to ? new Date(query.to) : now
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS)
  if (from.getTime() >= to.getTime()) {
    throw invalid('from', 'must be before to')
  }
  const filters: AuditFilters = { from, to, limit: query.limit }
  const actor = query.actor?.trim()
  if (actor) {
    if (UUID.test(actor)) {
      filters.actorId = actor.toLowerCase()
    } else {
      filters.actorEmail = actor
    }
  }
  if (query.resource) {
    filters.resource = query.resource.trim()
  }
  const action = query.action?.trim()
  if (action) {
    if (ROW_ACTIONS.has(action.toUpperCase())) {
      filters.action = action.toUpperCase()
    } else {
      filters.eventType = action
    }
  }
  if (query.cursor) {
    filters.before = decodeCursor(query.cursor)
  }
  return filters
}

function toAuditEntryResponse(row: AuditRow): AuditEntryResponse {
  return {
    id: String(row.id),
    createdAt: row.created_at.toISOString(),
    tableName: row.table_name,
    recordId: row.record_id,
    action: row.action,
    eventType: row.event_type,
    eventCategory: row.event_category,
    severity: row.severity,
    userId: row.user_id,
    userEmail: row.user_email,
    organizationId: row.organization_id,
    ipAddress: row.ip_address,
    changedFields: row.changed_fields,
    oldValues: row.old_values ?? null,
    newValues: row.new_values ?? null,
    eventDetails: row.event_details ?? null,
    requestId: row.request_id,
  }
}

/** One page of the audit log the caller may read (RLS decides which rows: see audit_log_select). */
export async function auditPage(trx: Trx, filters: AuditFilters) {
  // One extra row tells whether another page exists.
  const rows = await listAudit(trx, { ...filters, limit: filters.limit + 1 })
  const page = rows.slice(0, filters.limit)
  const last = page[page.length - 1]
  return {
    entries: page.map(toAuditEntryResponse),
    nextCursor: rows.length > filters.limit && last ? encodeCursor(last) : null,
    from: filters.from.toISOString(),
    to: filters.to.toISOString(),
  }
}
