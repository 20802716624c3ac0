import { AppError } from '../../platform/errors.ts'
import type { ToolCallRecord } from './tool-usage.record.ts'

/**
 * OTLP/HTTP JSON traces (ExportTraceServiceRequest) → tool calls, following the OpenTelemetry
 * semantic conventions for MCP (semantic-conventions-genai, docs/gen-ai/mcp.md). A span is an
 * MCP call when it carries mcp.method.name; other spans (HTTP, database, …) are ignored.
 * The mapping table is in docs/mcp.md.
 */

export const MAX_SPANS_PER_REQUEST = 5_000
/** Calls older than this are refused: monthly partitions exist from the previous month on. */
export const MAX_AGE_MS = 30 * 86_400_000
/** Clock skew tolerated for calls "in the future". */
export const MAX_FUTURE_MS = 3_600_000

const STATUS_ERROR = 2
const SPAN_KIND_CLIENT = 3

type Attributes = Map<string, unknown>

export interface MappedTraces {
  records: ToolCallRecord[]
  /** Valid spans that are not MCP calls. */
  ignored: number
  /** MCP spans refused one by one (reported in partialSuccess), with why. */
  rejected: string[]
}

interface Problem {
  field: string
  message: string
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** An OTLP AnyValue as plain JSON (int64 arrives as a string in OTLP JSON; kept exact when it fits). */
function anyValue(value: unknown): unknown {
  if (!isObject(value)) return undefined
  if ('stringValue' in value) return value.stringValue
  if ('boolValue' in value) return value.boolValue
  if ('intValue' in value) {
    const n = Number(value.intValue)
    return Number.isSafeInteger(n) ? n : String(value.intValue)
  }
  if ('doubleValue' in value) return Number(value.doubleValue)
  if ('arrayValue' in value) return (isObject(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values : []).map(anyValue)
  if ('kvlistValue' in value) return Object.fromEntries(attributes(isObject(value.kvlistValue) ? value.kvlistValue.values : []))
  if ('bytesValue' in value) return value.bytesValue
  return undefined
}

function attributes(list: unknown): Attributes {
  const result: Attributes = new Map()
  if (!Array.isArray(list)) return result
  for (const item of list) {
    if (isObject(item) && typeof item.key === 'string') result.set(item.key, anyValue(item.value))
  }
  return result
}

const text = (attrs: Attributes, key: string): string | undefined => {
  const value = attrs.get(key)
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined
}

/** gen_ai.tool.call.arguments / result: structured, or a JSON string to deserialize (the conventions allow both). */
function structured(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value) as unknown
  } catch {
    return value
  }
}

/** Unix nanoseconds (a decimal string or number in OTLP JSON) as milliseconds, or undefined when malformed. */
function nanosToMs(value: unknown): number | undefined {
  const raw = typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : value
  if (typeof raw !== 'string' || !/^\d{1,20}$/.test(raw)) return undefined
  return Number(BigInt(raw) / 1_000n) / 1_000
}

function statusIsError(status: unknown): { error: boolean; message?: string } {
  if (!isObject(status)) return { error: false }
  const code = status.code
  const error = code === STATUS_ERROR || code === 'STATUS_CODE_ERROR'
  return { error, ...(typeof status.message === 'string' && status.message !== '' ? { message: status.message } : {}) }
}

/** The first "exception" event's attributes (OpenTelemetry's way of recording an exception on a span). */
function exceptionOf(events: unknown): Attributes | undefined {
  if (!Array.isArray(events)) return undefined
  const event = events.find((item) => isObject(item) && item.name === 'exception')
  return isObject(event) ? attributes(event.attributes) : undefined
}

function listAt(value: unknown, field: string, key: string, problems: Problem[]): unknown[] {
  if (!isObject(value)) {
    problems.push({ field, message: 'must be an object' })
    return []
  }
  const list = value[key]
  if (list === undefined) return []
  if (!Array.isArray(list)) {
    problems.push({ field: `${field}.${key}`, message: 'must be an array' })
    return []
  }
  return list
}

export interface MappingContext {
  orgId: string
  userId: string
  now: Date
}

/** Maps a request body; malformed OTLP answers 400 validation_failed listing (up to 20) problems. */
export function mapTraces(body: unknown, context: MappingContext): MappedTraces {
  const problems: Problem[] = []
  const result: MappedTraces = { records: [], ignored: 0, rejected: [] }
  const resourceSpans = listAt(body, 'body', 'resourceSpans', problems)
  let spanCount = 0
  resourceSpans.forEach((resourceSpan, r) => {
    const resourceField = `resourceSpans[${r}]`
    const resource = attributes(isObject(resourceSpan) && isObject(resourceSpan.resource) ? resourceSpan.resource.attributes : [])
    listAt(resourceSpan, resourceField, 'scopeSpans', problems).forEach((scopeSpan, s) => {
      const scopeField = `${resourceField}.scopeSpans[${s}]`
      listAt(scopeSpan, scopeField, 'spans', problems).forEach((span, i) => {
        spanCount += 1
        const field = `${scopeField}.spans[${i}]`
        const mapped = mapSpan(span, field, resource, context, problems)
        if (mapped === 'ignored') result.ignored += 1
        else if (typeof mapped === 'string') result.rejected.push(mapped)
        else if (mapped) result.records.push(mapped)
      })
    })
  })
  if (spanCount > MAX_SPANS_PER_REQUEST) {
    throw new AppError('payload_too_large', 413, `The request holds ${spanCount} spans; send at most ${MAX_SPANS_PER_REQUEST} per request`)
  }
  if (problems.length > 0) {
    throw new AppError('validation_failed', 400, `Not a valid OTLP/JSON ExportTraceServiceRequest: ${problems[0]!.field} ${problems[0]!.message}`, { details: problems.slice(0, 20) })
  }
  return result
}

function mapSpan(span: unknown, field: string, resource: Attributes, context: MappingContext, problems: Problem[]): ToolCallRecord | 'ignored' | string | undefined {
  if (!isObject(span)) {
    problems.push({ field, message: 'must be an object' })
    return undefined
  }
  const traceId = typeof span.traceId === 'string' ? span.traceId.toLowerCase() : ''
  const spanId = typeof span.spanId === 'string' ? span.spanId.toLowerCase() : ''
  const startMs = nanosToMs(span.startTimeUnixNano)
  const endMs = nanosToMs(span.endTimeUnixNano)
  const before = problems.length
  if (!/^[\da-f]{32}$/.test(traceId) || /^0+$/.test(traceId)) problems.push({ field: `${field}.traceId`, message: 'must be 32 hex digits, not all zero' })
  if (!/^[\da-f]{16}$/.test(spanId) || /^0+$/.test(spanId)) problems.push({ field: `${field}.spanId`, message: 'must be 16 hex digits, not all zero' })
  if (startMs === undefined) problems.push({ field: `${field}.startTimeUnixNano`, message: 'must be Unix time in nanoseconds (a decimal string)' })
  if (endMs === undefined) problems.push({ field: `${field}.endTimeUnixNano`, message: 'must be Unix time in nanoseconds (a decimal string)' })
  if (startMs !== undefined && endMs !== undefined && endMs < startMs) problems.push({ field: `${field}.endTimeUnixNano`, message: 'must not be before startTimeUnixNano' })
  if (problems.length > before || startMs === undefined || endMs === undefined) return undefined

  const attrs = attributes(span.attributes)
  const method = text(attrs, 'mcp.method.name')
  if (method === undefined) return 'ignored'
  const now = context.now.getTime()
  if (startMs < now - MAX_AGE_MS || startMs > now + MAX_FUTURE_MS) {
    return `span ${spanId}: its start ${new Date(startMs).toISOString()} is more than 30 days old or more than an hour ahead`
  }

  const status = statusIsError(span.status)
  const errorType = text(attrs, 'error.type')
  const failed = errorType !== undefined || status.error
  const exception = exceptionOf(span.events)
  const isClient = span.kind === SPAN_KIND_CLIENT || span.kind === 'SPAN_KIND_CLIENT'
  const serviceName = text(resource, 'service.name')
  const code = errorType ?? text(attrs, 'rpc.response.status_code') ?? 'error'
  return {
    orgId: context.orgId,
    userId: context.userId,
    executionId: `${traceId}-${spanId}`,
    // A client span describes a call to the server at server.address; a server span, the service itself.
    bcpName: (isClient ? text(attrs, 'server.address') : undefined) ?? serviceName ?? 'unknown',
    toolName: text(attrs, 'gen_ai.tool.name') ?? text(attrs, 'gen_ai.prompt.name') ?? text(attrs, 'mcp.resource.uri') ?? method,
    operation: method,
    parameters: structured(attrs.get('gen_ai.tool.call.arguments')) ?? null,
    response: failed ? undefined : structured(attrs.get('gen_ai.tool.call.result')),
    error: failed
      ? {
          // JSON-RPC error codes are protocol errors; tool_error (isError) and anything else a failed tool.
          type: /^-?\d+$/.test(code) ? 'protocol' : 'tool',
          code,
          message: status.message ?? text(exception ?? new Map(), 'exception.message') ?? code,
          stack: text(exception ?? new Map(), 'exception.stacktrace') ?? null,
        }
      : null,
    durationMs: endMs - startMs,
    success: !failed,
    toolVersion: isClient ? null : (text(resource, 'service.version') ?? null),
    sessionId: text(attrs, 'mcp.session.id') ?? null,
    requestId: text(attrs, 'jsonrpc.request.id') ?? null,
    traceId,
    spanId,
    clientName: isClient ? (serviceName ?? null) : null,
    clientVersion: isClient ? (text(resource, 'service.version') ?? null) : null,
    protocolVersion: text(attrs, 'mcp.protocol.version') ?? null,
    ipAddress: text(attrs, 'client.address') ?? null,
    userAgent: text(attrs, 'user_agent.original') ?? null,
    source: 'external',
    timestamp: new Date(startMs),
  }
}
