import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import type { Insertable } from 'kysely'
import type { DB } from '../../platform/db.ts'

/**
 * One tool call as Tessera records it in telemetry.tool_usage_logs (seed 002, extended by
 * migration 0300). Built by the MCP server, the OTLP traces endpoint and the direct logging
 * endpoint alike; `toolUsageRow` turns it into the row with redaction, hashing and truncation.
 */
export interface ToolCallRecord {
  orgId: string
  userId: string | null
  executionId: string
  bcpName: string
  toolName: string
  operation: string
  parameters: unknown
  response: unknown
  /** Bytes of the whole response as sent (before truncation); computed from `response` when absent. */
  responseSizeBytes?: number | null
  error?: { message: string; stack?: string | null; code?: string | null; type: 'protocol' | 'tool' } | null
  durationMs: number
  memoryUsageMb?: number | null
  cpuUsagePercent?: number | null
  success: boolean
  toolVersion?: string | null
  sessionId?: string | null
  requestId?: string | null
  traceId?: string | null
  spanId?: string | null
  clientName?: string | null
  clientVersion?: string | null
  protocolVersion?: string | null
  ipAddress?: string | null
  userAgent?: string | null
  cacheHit?: boolean
  source: 'tessera' | 'external'
  timestamp: Date
}

export type ToolUsageRow = Insertable<DB['telemetry.tool_usage_logs']>

/** Stored responses stop here: the size is kept, the rest is a preview. */
export const MAX_RESPONSE_BYTES = 16 * 1024
const MAX_PARAMETER_STRING = 4_000
const MAX_DEPTH = 12
export const REDACTED = '[redacted]'

/** Keys whose values are secrets wherever they appear in parameters. */
const SECRET_KEY = /pass(word|phrase)?|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|private[-_]?key|signature/i

/** A copy of the value with secret-looking keys replaced, long strings cut and deep nesting stopped. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) {
    return '[nested too deep]'
  }
  if (typeof value === 'string') {
    return value.length > MAX_PARAMETER_STRING ? `${value.slice(0, MAX_PARAMETER_STRING)}…` : value
  }
  if (Array.isArray(value)) {
    return value.map((item) => redact(item, depth + 1))
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? REDACTED : redact(item, depth + 1)]))
  }
  return value
}

/** JSON with object keys sorted at every level: equal parameters give equal text, whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** SHA-256 (hex) of the canonical JSON of the (redacted) parameters: the seed's deduplication hash. */
export function parametersHash(parameters: unknown): string {
  return createHash('sha256').update(canonicalJson(parameters ?? null)).digest('hex')
}

/** The response as stored: whole up to MAX_RESPONSE_BYTES, else a preview with the full size. */
export function truncateResponse(response: unknown): { data: unknown; sizeBytes: number | null } {
  if (response === undefined) {
    return { data: null, sizeBytes: null }
  }
  const text = JSON.stringify(response) ?? 'null'
  const sizeBytes = Buffer.byteLength(text)
  if (sizeBytes <= MAX_RESPONSE_BYTES) {
    return { data: response, sizeBytes }
  }
  return { data: { truncated: true, sizeBytes, preview: text.slice(0, MAX_RESPONSE_BYTES) }, sizeBytes }
}

const cut = (value: string | null | undefined, max: number): string | null => (value === undefined || value === null || value === '' ? null : value.slice(0, max))

/** The row for telemetry.tool_usage_logs; column widths are the table's. */
export function toolUsageRow(record: ToolCallRecord): ToolUsageRow {
  const parameters = redact(record.parameters ?? null)
  const response = truncateResponse(record.response)
  return {
    organization_id: record.orgId,
    user_id: record.userId,
    execution_id: record.executionId.slice(0, 255),
    bcp_name: record.bcpName.slice(0, 100),
    tool_name: record.toolName.slice(0, 100),
    operation: record.operation.slice(0, 100),
    parameters: JSON.stringify(parameters),
    parameters_hash: parametersHash(parameters),
    response_data: response.data === null ? null : JSON.stringify(response.data),
    response_size_bytes: record.responseSizeBytes ?? response.sizeBytes,
    error_message: record.error ? record.error.message.slice(0, 10_000) : null,
    error_stack: cut(record.error?.stack, 20_000),
    error_code: cut(record.error?.code, 50),
    error_type: record.success ? null : (record.error?.type ?? 'tool'),
    duration_ms: Math.max(0, Math.min(2_147_483_647, Math.round(record.durationMs))),
    memory_usage_mb: record.memoryUsageMb === undefined || record.memoryUsageMb === null ? null : Math.min(99_999_999, Math.round(record.memoryUsageMb * 100) / 100),
    cpu_usage_percent: record.cpuUsagePercent === undefined || record.cpuUsagePercent === null ? null : Math.min(999.99, Math.round(record.cpuUsagePercent * 100) / 100),
    success: record.success,
    tool_version: cut(record.toolVersion, 20),
    session_id: cut(record.sessionId, 255),
    request_id: cut(record.requestId, 255),
    trace_id: cut(record.traceId, 32),
    span_id: cut(record.spanId, 16),
    client_name: cut(record.clientName, 255),
    client_version: cut(record.clientVersion, 100),
    protocol_version: cut(record.protocolVersion, 20),
    ip_address: record.ipAddress && isIP(record.ipAddress) ? record.ipAddress : null,
    user_agent: cut(record.userAgent, 1_000),
    cache_hit: record.cacheHit ?? false,
    source: record.source,
    timestamp: record.timestamp,
  }
}

/** The trace and parent span ids of a W3C traceparent header (version 00), when it is well formed. */
export function parseTraceparent(value: unknown): { traceId: string; spanId: string } | undefined {
  if (typeof value !== 'string') {
    return undefined
  }
  const match = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/.exec(value.trim().toLowerCase())
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) {
    return undefined
  }
  return { traceId: match[1]!, spanId: match[2]! }
}
