import { Type, type Static } from '@sinclair/typebox'

const Text = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) })

export const ToolCallInput = Type.Object(
  {
    executionId: Type.Optional(Text(255, 'Your id of the call. A call sent again with the same executionId and timestamp is stored once. Default: a new UUID')),
    server: Text(100, 'The MCP server that ran the tool (stored as bcp_name)'),
    tool: Text(100, 'The tool name'),
    operation: Type.Optional(Text(100, 'The MCP method (default tools/call)')),
    timestamp: Type.Optional(Type.String({ format: 'date-time', description: 'When the call started (default: now); at most 30 days ago or an hour ahead' })),
    durationMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
    success: Type.Boolean(),
    parameters: Type.Optional(Type.Unknown({ description: 'The arguments; secret-looking keys (password, token, apiKey, …) are redacted before storing' })),
    response: Type.Optional(Type.Unknown({ description: 'The result; stored up to 16 KB (a preview beyond), its full size in responseSizeBytes' })),
    responseSizeBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    error: Type.Optional(Type.Object(
      {
        message: Text(10_000),
        stack: Type.Optional(Type.String({ maxLength: 20_000 })),
        code: Type.Optional(Text(50)),
        type: Type.Optional(Type.Union([Type.Literal('protocol'), Type.Literal('tool')], { description: 'protocol: refused before the tool ran (JSON-RPC error); tool: the tool answered isError (default)' })),
      },
      { additionalProperties: false },
    )),
    toolVersion: Type.Optional(Text(20)),
    sessionId: Type.Optional(Text(255, 'The MCP session (Mcp-Session-Id)')),
    requestId: Type.Optional(Text(255)),
    traceId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$', description: 'W3C trace id (32 lowercase hex digits)' })),
    spanId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$', description: 'W3C span id (16 lowercase hex digits)' })),
    client: Type.Optional(Type.Object({ name: Text(255), version: Type.Optional(Text(100)) }, { additionalProperties: false, description: "The MCP client (initialize's clientInfo)" })),
    protocolVersion: Type.Optional(Text(20, 'MCP protocol version, e.g. 2025-06-18')),
    ipAddress: Type.Optional(Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6' })], { description: "The client's IP address" })),
    userAgent: Type.Optional(Type.String({ maxLength: 1_000 })),
    cacheHit: Type.Optional(Type.Boolean()),
    memoryUsageMb: Type.Optional(Type.Number({ minimum: 0, maximum: 99_999_999 })),
    cpuUsagePercent: Type.Optional(Type.Number({ minimum: 0, maximum: 999.99 })),
  },
  { additionalProperties: false },
)
export type ToolCallInput = Static<typeof ToolCallInput>

export const ToolCallsBody = Type.Object({ calls: Type.Array(ToolCallInput, { minItems: 1, maxItems: 1_000 }) }, { additionalProperties: false })
export type ToolCallsBody = Static<typeof ToolCallsBody>

export const ToolCallsResponse = Type.Object({
  received: Type.Integer(),
  stored: Type.Integer(),
  duplicates: Type.Integer({ description: 'Calls already stored (same executionId and timestamp)' }),
})

/** OTLP's ExportTraceServiceResponse: partialSuccess when some spans were refused. */
export const OtlpResponse = Type.Object({
  partialSuccess: Type.Optional(Type.Object({ rejectedSpans: Type.Integer(), errorMessage: Type.String() })),
})
