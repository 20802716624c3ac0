import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { findErrorGroup, listErrorGroups, resolveErrorGroup, type ErrorDetailRow, type ErrorFilters, type ErrorRow, type ErrorSort } from './error-logs.repository.ts'
import type { ErrorGroupDetail, ErrorGroupSummary, ErrorListQuery } from './error-logs.schema.ts'

function invalidCursor(): AppError {
  const message = 'is not a cursor returned by this endpoint for this sort; start again without it'
  return new AppError('validation_failed', 400, `cursor ${message}`, { details: [{ field: 'querystring.cursor', message }] })
}

export function encodeCursor(sort: ErrorSort, row: Pick<ErrorRow, 'sort_value' | 'id'>): string {
  return Buffer.from(`${sort}|${row.sort_value}|${row.id}`, 'utf8').toString('base64url')
}

/** A cursor belongs to one sort: a time cursor cannot page a list sorted by count. */
export function decodeCursor(sort: ErrorSort, cursor: string): { value: string; id: string } {
  const [cursorSort, value, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const valueOk = sort === 'occurrence_count' ? /^\d{1,10}$/.test(value ?? '') : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(value ?? '')
  if (cursorSort !== sort || !value || !valueOk || !id || !/^\d{1,18}$/.test(id)) {
    throw invalidCursor()
  }
  return { value, id }
}

export function errorFilters(query: ErrorListQuery, orgId?: string): ErrorFilters {
  const q = query.q?.trim()
  return {
    orgId,
    resolved: query.resolved,
    category: query.category?.trim() || undefined,
    level: query.level,
    q: q || undefined,
    sort: query.sort,
    after: query.cursor ? decodeCursor(query.sort, query.cursor) : undefined,
    limit: query.limit,
  }
}

function whereOf(context: Record<string, unknown> | null): { source: string | null; where: string | null } {
  const source = typeof context?.source === 'string' ? context.source : null
  if (source === 'job') {
    return { source, where: typeof context?.jobName === 'string' ? context.jobName : null }
  }
  const method = typeof context?.method === 'string' ? context.method : null
  const route = typeof context?.route === 'string' ? context.route : typeof context?.path === 'string' ? context.path : null
  return { source, where: method && route ? `${method} ${route}` : route }
}

function toSummary(row: ErrorRow): ErrorGroupSummary {
  return {
    id: row.id,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    level: row.level,
    message: row.message,
    errorCode: row.error_code,
    category: row.category,
    severity: row.severity,
    impactLevel: row.impact_level,
    ...whereOf(row.context),
    occurrenceCount: Number(row.occurrence_count),
    firstOccurrence: row.first_occurrence.toISOString(),
    lastOccurrence: row.last_occurrence.toISOString(),
    resolved: row.resolved,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    reopenedCount: row.reopened_count,
    environment: row.environment,
    serviceVersion: row.service_version,
  }
}

function toDetail(row: ErrorDetailRow, options: { withStack: boolean }): ErrorGroupDetail {
  return {
    ...toSummary(row),
    fingerprint: row.fingerprint,
    stackTrace: options.withStack ? row.stack_trace : null,
    context: row.context ?? {},
    toolContext: row.tool_context ?? null,
    requestId: row.request_id,
    executionId: row.execution_id,
    sessionId: row.session_id,
    userId: row.user_id,
    resolvedBy: row.resolved_by,
    resolvedByEmail: row.resolved_by_email,
    resolutionNotes: row.resolution_notes,
  }
}

/** One page of error groups the caller may read, in the requested order. */
export async function errorGroupPage(db: Db, filters: ErrorFilters) {
  // One extra row tells whether another page exists.
  const rows = await listErrorGroups(db, { ...filters, limit: filters.limit + 1 })
  const page = rows.slice(0, filters.limit)
  const last = page[page.length - 1]
  return {
    errors: page.map(toSummary),
    nextCursor: rows.length > filters.limit && last ? encodeCursor(filters.sort, last) : null,
  }
}

/**
 * One group with its stack and context. Organization callers get no stack trace: it names
 * the server's files and code paths, which are the instance operator's business.
 */
export async function errorGroupDetail(db: Db, id: string, options: { orgId?: string; withStack: boolean }): Promise<ErrorGroupDetail> {
  const row = await findErrorGroup(db, id, options.orgId)
  if (!row) {
    throw notFound('error')
  }
  return toDetail(row, options)
}

/** Resolves a group with notes. A later occurrence reopens it (db/migrations/0280, private.record_errors). */
export async function resolveError(db: Db, id: string, userId: string, notes: string, options: { orgId?: string; withStack: boolean }): Promise<ErrorGroupDetail> {
  const trimmed = notes.trim()
  if (trimmed === '') {
    throw new AppError('validation_failed', 400, 'notes must say what fixed the error or why it needs no fix', { details: [{ field: 'body.notes', message: 'must not be blank' }] })
  }
  if (!(await resolveErrorGroup(db, id, userId, trimmed, options.orgId))) {
    throw notFound('error')
  }
  return errorGroupDetail(db, id, options)
}
