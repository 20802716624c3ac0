import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
// The low-level Server, not McpServer: McpServer validates arguments before any hook runs and
// answers every failure alike, while Tessera must record each call (refused ones too) and answer
// invalid arguments the way the client's protocol version expects (SEP-1303 below).
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { AppError } from '../../platform/errors.ts'
import type { ToolContext } from './mcp.tool.ts'
import { TOOLS, TOOLS_BY_NAME, toolDefinition } from './mcp.tools.ts'
import { parseTraceparent } from './tool-usage.record.ts'
import type { ToolUsageWriter } from './tool-usage.writer.ts'

export const SERVER_NAME = 'tessera'
export const TESSERA_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/**
 * Since MCP 2025-11-25 (SEP-1303) invalid tool arguments are a tool execution error
 * (isError, which the model reads and corrects); before, a JSON-RPC -32602 protocol error.
 */
const VALIDATION_AS_TOOL_ERROR_SINCE = '2025-11-25'
/** What the transport spec says to assume when a request names no protocol version. */
export const DEFAULT_PROTOCOL_VERSION = '2025-03-26'

/** Who is calling, as far as this HTTP request tells (see mcp.session.ts). */
export interface CallerInfo {
  sessionId: string | null
  clientName: string | null
  clientVersion: string | null
  protocolVersion: string
}

const INSTRUCTIONS =
  "Tessera's data for the organization of your API key: dashboards and their widgets' data, metrics and their time series, " +
  'pipelines and their runs, saved SQL queries, recorded MCP tool calls and errors. Start with list_dashboards, list_metrics or list_pipelines. ' +
  'Tools that change data (trigger_pipeline_run, resolve_error) need an API key with the write scope.'

let definitions: Array<ReturnType<typeof toolDefinition>> | undefined
/** The tools/list answer never changes within a process: converted from zod once. */
function toolDefinitions() {
  definitions ??= TOOLS.map(toolDefinition)
  return definitions
}

type Outcome =
  | { success: true; response: unknown; cacheHit: boolean }
  | { success: false; error: { type: 'protocol' | 'tool'; code: string; message: string; stack?: string | undefined } }

function textResult(text: string, isError: boolean): CallToolResult {
  return { content: [{ type: 'text', text }], ...(isError ? { isError: true } : {}) }
}

/** A server for one HTTP request (stateless mode): the tools, bound to the request's API key. */
export function createMcpServer(ctx: ToolContext, caller: CallerInfo, writer: ToolUsageWriter): Server {
  const server = new Server(
    { name: SERVER_NAME, title: 'Tessera', version: TESSERA_VERSION },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS },
  )
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolDefinitions() }))
  server.setRequestHandler(CallToolRequestSchema, (request) => callTool(ctx, caller, writer, request.params))
  return server
}

async function callTool(ctx: ToolContext, caller: CallerInfo, writer: ToolUsageWriter, params: { name: string; arguments?: Record<string, unknown> | undefined; _meta?: Record<string, unknown> | undefined }): Promise<CallToolResult> {
  const timestamp = new Date()
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const args = params.arguments ?? {}
  const headers = ctx.request.headers
  // Trace context travels in params._meta (OpenTelemetry MCP conventions), else in the HTTP header.
  const trace = parseTraceparent(params._meta?.traceparent) ?? parseTraceparent(headers.traceparent)

  const record = (outcome: Outcome, resultBytes: number | null) => {
    const elapsedMs = performance.now() - started
    const cpu = process.cpuUsage(cpuBefore)
    writer.record({
      orgId: ctx.key.orgId,
      userId: ctx.key.userId,
      executionId: randomUUID(),
      bcpName: SERVER_NAME,
      toolName: params.name,
      operation: 'tools/call',
      parameters: args,
      response: outcome.success ? outcome.response : undefined,
      responseSizeBytes: resultBytes,
      error: outcome.success ? null : outcome.error,
      durationMs: elapsedMs,
      // Process-wide figures: the heap after the call, and CPU time over wall time (other
      // requests served meanwhile count too), which is what Node can measure per call.
      memoryUsageMb: process.memoryUsage().heapUsed / 1_048_576,
      cpuUsagePercent: elapsedMs > 0 ? ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100 : null,
      success: outcome.success,
      toolVersion: TESSERA_VERSION,
      sessionId: caller.sessionId,
      requestId: ctx.request.id,
      traceId: trace?.traceId ?? null,
      spanId: trace?.spanId ?? null,
      clientName: caller.clientName,
      clientVersion: caller.clientVersion,
      protocolVersion: caller.protocolVersion,
      ipAddress: ctx.request.ip,
      userAgent: typeof headers['user-agent'] === 'string' ? headers['user-agent'] : null,
      cacheHit: outcome.success ? outcome.cacheHit : false,
      source: 'tessera',
      timestamp,
    })
  }

  const tool = TOOLS_BY_NAME.get(params.name)
  if (!tool) {
    // Unknown tools stay protocol errors in every protocol version.
    const message = `Unknown tool "${params.name}". Call tools/list for the tools Tessera offers.`
    record({ success: false, error: { type: 'protocol', code: 'unknown_tool', message } }, null)
    throw new McpError(ErrorCode.InvalidParams, message)
  }

  const parsed = tool.input.safeParse(args)
  if (!parsed.success) {
    const message = `Invalid arguments for ${tool.name}:\n${z.prettifyError(parsed.error)}`
    record({ success: false, error: { type: 'protocol', code: 'invalid_arguments', message } }, null)
    if (caller.protocolVersion >= VALIDATION_AS_TOOL_ERROR_SINCE) {
      return textResult(message, true)
    }
    throw new McpError(ErrorCode.InvalidParams, message)
  }

  if (tool.write && !ctx.key.scopes.includes('write') && !ctx.key.scopes.includes('admin')) {
    const message = `${tool.name} changes data: it needs an API key with the "write" scope (this key has: ${ctx.key.scopes.join(', ')}). Create one under Settings → API keys.`
    record({ success: false, error: { type: 'tool', code: 'insufficient_scope', message } }, null)
    return textResult(message, true)
  }

  try {
    const outcome = await tool.run(ctx, parsed.data)
    const text = JSON.stringify(outcome.data)
    const result: CallToolResult = { content: [{ type: 'text', text }], structuredContent: outcome.data }
    record({ success: true, response: outcome.data, cacheHit: outcome.cacheHit ?? false }, Buffer.byteLength(text))
    return result
  } catch (error) {
    if (error instanceof AppError) {
      const message = `${error.message} (${error.code})`
      record({ success: false, error: { type: 'tool', code: error.code, message: error.message, stack: error.stack } }, null)
      return textResult(message, true)
    }
    // Anything else is Tessera's fault: the caller gets a reference, the log the details.
    ctx.request.log.error({ err: error, tool: tool.name }, 'MCP tool failed')
    const message = `Tessera could not complete ${tool.name} (internal error, request ${ctx.request.id}).`
    const stack = error instanceof Error ? error.stack : undefined
    record({ success: false, error: { type: 'tool', code: 'internal_error', message: error instanceof Error ? error.message : String(error), stack } }, null)
    return textResult(message, true)
  }
}
