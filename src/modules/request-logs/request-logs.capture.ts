import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../platform/errors.ts'
import { redactedCopy, redactedPath } from './request-logs.redact.ts'

/**
 * One request, as telemetry.request_logs stores it (snake_case: the writer hands the batch to
 * PostgreSQL as JSON records). Built in the onResponse hook from what Fastify already parsed;
 * `at` is the arrival time in epoch milliseconds.
 */
export interface RequestLogEntry {
  organization_id: string | null
  request_id: string
  method: string
  route: string | null
  path: string
  query_params: unknown
  request_headers: unknown
  request_body: unknown
  response_status_code: number
  response_data: unknown
  response_headers: unknown
  response_size_bytes: number | null
  duration_ms: number
  queue_time_ms: number | null
  processing_time_ms: number | null
  success: boolean
  error_type: string | null
  user_id: string | null
  session_id: string | null
  at: number
  user_agent: string | null
  ip_address: string | null
  client_version: string | null
  correlation_id: string | null
  trace_id: string | null
  span_id: string | null
}

/** What the error handler's path leaves on the request for its log entry (onError hook). */
export interface CapturedError {
  type: string
  /** The public error body for AppErrors (what the client saw); internal errors keep none. */
  response: unknown
}

/** Headers, query strings and response headers are small; a fixed budget keeps odd ones bounded. */
const HEADER_BUDGET = 4096
const MAX_USER_AGENT = 1024

/**
 * Which requests are logged: everything under /api/ and the MCP endpoint, except
 * - /api/health: load balancers and orchestrators poll it every few seconds; it would
 *   outnumber real requests and says nothing about any user;
 * - /metrics: Prometheus scrapes it the same way, and it is not under /api/ anyway;
 * - /api/docs: the Swagger UI's static files (scripts, styles), like the SPA's static files
 *   outside /api/, which are not API requests.
 */
export function isLogged(url: string): boolean {
  if (url.startsWith('/api/')) {
    return !url.startsWith('/api/health') && !url.startsWith('/api/docs')
  }
  return url === '/mcp' || url.startsWith('/mcp/') || url.startsWith('/mcp?')
}

export function errorOf(error: Error & { code?: unknown; validation?: unknown; statusCode?: number }): CapturedError {
  if (error instanceof AppError) {
    return { type: error.code, response: { error: { code: error.code, message: error.message } } }
  }
  if (error.validation) {
    return { type: 'validation_failed', response: null }
  }
  const code = typeof error.code === 'string' && error.code.length > 0 ? error.code : error.name || 'Error'
  return { type: code.slice(0, 50), response: null }
}

export function captureEntry(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { bodyMaxBytes: number; queueMs: number | null; error: CapturedError | null; organizationId: string | null },
): RequestLogEntry {
  const durationMs = reply.elapsedTime
  const status = reply.statusCode
  const url = request.url
  const queryAt = url.indexOf('?')
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt)
  const headers = request.headers
  const actor = request.actor
  const trace = parseTraceparent(headers.traceparent)
  const userAgent = typeof headers['user-agent'] === 'string' ? headers['user-agent'].slice(0, MAX_USER_AGENT) : null
  const correlation = typeof headers['x-correlation-id'] === 'string' ? headers['x-correlation-id'].slice(0, 255) : null
  const length = reply.getHeader('content-length')
  const queueMs = options.queueMs === null ? null : Math.round(options.queueMs + proxyQueueMs(headers['x-request-start'], durationMs))
  const body = options.bodyMaxBytes > 0 && request.body !== undefined && request.body !== null ? redactedCopy(request.body, options.bodyMaxBytes).value : null
  return {
    organization_id: actor?.kind === 'apiKey' ? actor.orgId : options.organizationId,
    request_id: String(request.id).slice(0, 255),
    method: request.method.slice(0, 10),
    route: request.is404 ? null : (request.routeOptions.url ?? null),
    path: redactedPath(rawPath, request.params),
    query_params: queryAt === -1 ? null : redactedCopy(request.query, HEADER_BUDGET).value,
    request_headers: redactedCopy(headers, HEADER_BUDGET).value,
    request_body: body,
    response_status_code: status,
    response_data: options.error?.response ?? null,
    response_headers: redactedCopy(reply.getHeaders(), HEADER_BUDGET).value,
    response_size_bytes: length === undefined ? null : Number(length) || 0,
    duration_ms: Math.round(durationMs),
    queue_time_ms: queueMs,
    processing_time_ms: options.queueMs === null ? null : Math.max(0, Math.round(durationMs - options.queueMs)),
    success: status < 400,
    error_type: options.error?.type ?? (request.is404 ? 'route_not_found' : status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : null),
    user_id: actor && actor.kind !== 'anonymous' ? actor.userId : null,
    session_id: actor?.kind === 'session' ? actor.sessionId : actor?.kind === 'apiKey' ? `key:${actor.keyId}` : null,
    at: Date.now() - durationMs,
    user_agent: userAgent,
    ip_address: request.ip || null,
    client_version: clientVersion(headers['x-client-version'], userAgent),
    correlation_id: correlation ?? trace?.traceId ?? null,
    trace_id: trace?.traceId ?? null,
    span_id: trace?.spanId ?? null,
  }
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/** W3C Trace Context: version-traceid-parentid-flags; all-zero ids are invalid (the header is then ignored). */
export function parseTraceparent(header: string | string[] | undefined): { traceId: string; spanId: string } | null {
  if (typeof header !== 'string') {
    return null
  }
  const match = TRACEPARENT.exec(header.trim().toLowerCase())
  if (!match || match[1] === ZERO_TRACE || match[2] === ZERO_SPAN) {
    return null
  }
  return { traceId: match[1]!, spanId: match[2]! }
}

/** X-Client-Version, else the version of the User-Agent's first product ("tessera-cli/1.4.0"). */
function clientVersion(header: string | string[] | undefined, userAgent: string | null): string | null {
  if (typeof header === 'string' && header.length > 0) {
    return header.slice(0, 20)
  }
  const match = userAgent ? /^[\w.-]+\/([\w.+-]+)/.exec(userAgent) : null
  return match ? match[1]!.slice(0, 20) : null
}

/**
 * Time a proxy held the request before Tessera saw it, from X-Request-Start ("t=<epoch>" in
 * seconds, milliseconds or microseconds, as nginx and Heroku send it); 0 without one or when
 * the clocks disagree.
 */
function proxyQueueMs(header: string | string[] | undefined, durationMs: number): number {
  if (typeof header !== 'string') {
    return 0
  }
  const match = /^(?:t=)?(\d{10,16})(?:\.(\d+))?$/.exec(header.trim())
  if (!match) {
    return 0
  }
  const digits = match[1]!
  const value = Number(digits)
  const startedMs = digits.length <= 10 ? (value + Number(`0.${match[2] ?? '0'}`)) * 1000 : digits.length <= 13 ? value : value / 1000
  const waited = Date.now() - durationMs - startedMs
  return waited > 0 && waited < 3_600_000 ? waited : 0
}
