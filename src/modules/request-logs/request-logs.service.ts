import type { Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import { listRequestLogs, type RequestLogFilters, type RequestLogRow } from './request-logs.repository.ts'
import type { RequestLogQuery, RequestLogResponse } from './request-logs.schema.ts'

const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', 400, `${field} ${message}`, { details: [{ field: `querystring.${field}`, message }] })
}

export function encodeCursor(row: Pick<RequestLogRow, 'timestamp_exact' | 'id'>): string {
  return Buffer.from(`${row.timestamp_exact}|${row.id}`, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string): { timestamp: string; id: string } {
  const [timestamp, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!timestamp || !id || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(timestamp) || !/^\d{1,19}$/.test(id)) {
    throw invalid('cursor', 'is not a cursor returned by this endpoint')
  }
  return { timestamp, id }
}

/**
 * Turns the query string into repository filters. The time window is always explicit
 * (default: the 7 days before `to`) so the query touches only the partitions it needs.
 */
export function requestLogFilters(query: RequestLogQuery, now = new Date()): RequestLogFilters {
  const to = query.to ? new Date(query.to) : now
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS)
  if (from.getTime() >= to.getTime()) {
    throw invalid('from', 'must be before to')
  }
  return {
    from,
    to,
    statusFrom: query.status ? Number(query.status[0]) * 100 : undefined,
    route: query.route?.trim() || undefined,
    userId: query.userId?.toLowerCase(),
    organizationId: query.organizationId?.toLowerCase(),
    before: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: query.limit,
  }
}

function toRequestLogResponse(row: RequestLogRow): RequestLogResponse {
  return {
    id: String(row.id),
    requestId: row.request_id,
    timestamp: row.timestamp.toISOString(),
    method: row.method,
    route: row.route,
    path: row.path,
    status: row.response_status_code,
    success: row.success,
    errorType: row.error_type,
    durationMs: row.duration_ms,
    queueTimeMs: row.queue_time_ms,
    processingTimeMs: row.processing_time_ms,
    responseSizeBytes: row.response_size_bytes,
    userId: row.user_id,
    userEmail: row.user_email,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    sessionId: row.session_id,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    clientVersion: row.client_version,
    correlationId: row.correlation_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    queryParams: row.query_params ?? null,
    requestHeaders: row.request_headers ?? null,
    requestBody: row.request_body ?? null,
    responseData: row.response_data ?? null,
    responseHeaders: row.response_headers ?? null,
  }
}

/** One page of the request log, newest first. */
export async function requestLogPage(trx: Trx, filters: RequestLogFilters) {
  // One extra row tells whether another page exists.
  const rows = await listRequestLogs(trx, { ...filters, limit: filters.limit + 1 })
  const page = rows.slice(0, filters.limit)
  const last = page[page.length - 1]
  return {
    requests: page.map(toRequestLogResponse),
    nextCursor: rows.length > filters.limit && last ? encodeCursor(last) : null,
    from: filters.from.toISOString(),
    to: filters.to.toISOString(),
  }
}
