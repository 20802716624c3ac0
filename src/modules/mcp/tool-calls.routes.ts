import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireUserId, withOrg } from '../../platform/auth.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { MAX_AGE_MS, MAX_FUTURE_MS, mapTraces } from './otlp.mapping.ts'
import { OtlpResponse, ToolCallsBody, ToolCallsResponse, type ToolCallInput } from './tool-calls.schema.ts'
import { insertToolCalls } from './tool-usage.repository.ts'
import { toolUsageRow, type ToolCallRecord } from './tool-usage.record.ts'

const gunzipAsync = promisify(gunzip)
/** OTLP exporters batch hundreds of spans with their arguments: more room than the API's 1 MB. */
const MAX_BODY_BYTES = 8 * 1024 * 1024

/**
 * Other people's MCP servers report their tool calls here, as source 'external':
 * - POST /api/v1/otlp/v1/traces: OTLP/HTTP JSON traces (what OpenTelemetry exporters send to
 *   `<endpoint>/v1/traces`), spans mapped by the OpenTelemetry MCP conventions (otlp.mapping.ts);
 * - POST /api/v1/orgs/{orgId}/tool-calls: Tessera's own JSON, a batch of calls.
 * Both store the batch before answering, in one tenant transaction (all or nothing).
 */
export function toolCallRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Encapsulated: only these routes accept gzip bodies (OTLP exporters compress by default) and 8 MB.
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, async (request: { headers: Record<string, unknown> }, body: Buffer) => {
      const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase()
      let raw = body
      if (encoding === 'gzip') {
        raw = await gunzipAsync(body, { maxOutputLength: MAX_BODY_BYTES }).catch(() => {
          throw new AppError('invalid_json', 400, `The gzip body is damaged or larger than ${MAX_BODY_BYTES} bytes uncompressed`)
        })
      } else if (encoding !== 'identity') {
        throw new AppError('unsupported_media_type', 415, `Content-Encoding ${encoding} is not supported: send gzip or no encoding`)
      }
      try {
        return JSON.parse(raw.toString('utf8')) as unknown
      } catch {
        throw new AppError('invalid_json', 400, 'The request body is not valid JSON')
      }
    })

    app.post('/otlp/v1/traces', {
      config: { auth: 'apiKey', scope: 'ingest' },
      schema: {
        tags: ['mcp'],
        summary: 'Receive OpenTelemetry traces (OTLP/HTTP JSON): MCP spans become tool calls',
        description:
          'An OTLP exporter pointed at `<PUBLIC_URL>/api/v1/otlp` with `Authorization: Bearer <API key with the ingest scope>` and the JSON protocol ' +
          '(`http/json`; protobuf answers 415). Spans with `mcp.method.name` are stored as tool calls of the key\'s organization (source external); ' +
          'other spans are ignored. Malformed OTLP answers 400 validation_failed with the problems; spans older than 30 days are refused in partialSuccess. ' +
          'The mapping of attributes to fields is in docs/mcp.md.',
        security: [{ apiKey: [] }],
        response: { 200: OtlpResponse },
      },
    }, async (request) => {
      const key = request.actor
      if (key.kind !== 'apiKey') {
        throw new AppError('unauthenticated', 401, 'This route needs an API key (Authorization: Bearer)')
      }
      const mapped = mapTraces(request.body, { orgId: key.orgId, userId: key.userId, now: new Date() })
      if (mapped.records.length > 0) {
        await withOrg(services, request, key.orgId, (trx) => insertToolCalls(trx, mapped.records.map(toolUsageRow)))
      }
      request.log.info({ stored: mapped.records.length, ignored: mapped.ignored, rejected: mapped.rejected.length }, 'OTLP traces received')
      return mapped.rejected.length === 0 ? {} : { partialSuccess: { rejectedSpans: mapped.rejected.length, errorMessage: mapped.rejected.slice(0, 10).join('; ') } }
    })

    app.post('/orgs/:orgId/tool-calls', {
      config: { auth: 'any', scope: 'ingest' },
      schema: {
        tags: ['mcp'],
        summary: "Record tool calls of another MCP server (a batch of up to 1,000; sessions, or API keys with the ingest scope)",
        description:
          'Each call names its server and tool, durationMs and success; a failed call (success false) carries error {message, code?, stack?, type?}, ' +
          'a successful one none. Stored as source external, all or nothing, before the answer. See docs/mcp.md.',
        params: OrgParams,
        body: ToolCallsBody,
        response: { 200: ToolCallsResponse },
      },
    }, async (request) => {
      const userId = requireUserId(request)
      const now = new Date()
      const orgId = request.params.orgId.toLowerCase()
      const records = request.body.calls.map((call, index) => toRecord(call, index, { orgId, userId, now }))
      const stored = await withOrg(services, request, request.params.orgId, (trx) => insertToolCalls(trx, records.map(toolUsageRow)))
      return { received: records.length, stored, duplicates: records.length - stored }
    })
  }
}

function toRecord(call: ToolCallInput, index: number, context: { orgId: string; userId: string; now: Date }): ToolCallRecord {
  const invalid = (field: string, message: string) =>
    new AppError('validation_failed', 400, `body.calls.${index}.${field} ${message}`, { details: [{ field: `body.calls.${index}.${field}`, message }] })
  if (!call.success && !call.error) throw invalid('error', 'is required when success is false')
  if (call.success && call.error) throw invalid('error', 'must be absent when success is true')
  const timestamp = call.timestamp ? new Date(call.timestamp) : context.now
  if (timestamp.getTime() < context.now.getTime() - MAX_AGE_MS || timestamp.getTime() > context.now.getTime() + MAX_FUTURE_MS) {
    throw new AppError('timestamp_out_of_range', 400, `body.calls.${index}.timestamp must be within the last 30 days (and at most an hour ahead)`)
  }
  return {
    orgId: context.orgId,
    userId: context.userId,
    executionId: call.executionId ?? randomUUID(),
    bcpName: call.server,
    toolName: call.tool,
    operation: call.operation ?? 'tools/call',
    parameters: call.parameters ?? null,
    response: call.response,
    responseSizeBytes: call.responseSizeBytes ?? null,
    error: call.error ? { message: call.error.message, stack: call.error.stack ?? null, code: call.error.code ?? null, type: call.error.type ?? 'tool' } : null,
    durationMs: call.durationMs,
    memoryUsageMb: call.memoryUsageMb ?? null,
    cpuUsagePercent: call.cpuUsagePercent ?? null,
    success: call.success,
    toolVersion: call.toolVersion ?? null,
    sessionId: call.sessionId ?? null,
    requestId: call.requestId ?? null,
    traceId: call.traceId ?? null,
    spanId: call.spanId ?? null,
    clientName: call.client?.name ?? null,
    clientVersion: call.client?.version ?? null,
    protocolVersion: call.protocolVersion ?? null,
    ipAddress: call.ipAddress ?? null,
    userAgent: call.userAgent ?? null,
    cacheHit: call.cacheHit ?? false,
    source: 'external',
    timestamp,
  }
}
