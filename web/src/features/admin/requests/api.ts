/** GET /api/v1/admin/request-logs (src/modules/request-logs/request-logs.schema.ts). */

export type StatusClass = '' | '2xx' | '3xx' | '4xx' | '5xx'

export interface RequestLogFilters {
  status: StatusClass
  route: string
  userId: string
  organizationId: string
  from: string
  to: string
}

export const EMPTY_REQUEST_FILTERS: RequestLogFilters = { status: '', route: '', userId: '', organizationId: '', from: '', to: '' }

export interface RequestLogEntry {
  id: string
  requestId: string
  timestamp: string
  method: string
  route: string | null
  path: string
  status: number
  success: boolean
  errorType: string | null
  durationMs: number
  queueTimeMs: number | null
  processingTimeMs: number | null
  responseSizeBytes: number | null
  userId: string | null
  userEmail: string | null
  organizationId: string | null
  organizationName: string | null
  sessionId: string | null
  ipAddress: string | null
  userAgent: string | null
  clientVersion: string | null
  correlationId: string | null
  traceId: string | null
  spanId: string | null
  queryParams: unknown
  requestHeaders: unknown
  requestBody: unknown
  responseData: unknown
  responseHeaders: unknown
}

export interface RequestLogPage {
  requests: RequestLogEntry[]
  nextCursor: string | null
  from: string
  to: string
}
