import type { searchToolCalls } from './tool-usage.repository.ts'

type ToolCallRow = Awaited<ReturnType<typeof searchToolCalls>>[number]

/** A recorded tool call as the API and the search_tool_calls tool show it. */
export function toToolCallResponse(row: ToolCallRow) {
  return {
    executionId: row.execution_id,
    timestamp: row.timestamp.toISOString(),
    source: row.source,
    server: row.bcp_name,
    tool: row.tool_name,
    operation: row.operation,
    success: row.success,
    errorType: row.error_type,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    durationMs: row.duration_ms,
    cacheHit: row.cache_hit ?? false,
    client: row.client_name === null ? null : { name: row.client_name, version: row.client_version },
    protocolVersion: row.protocol_version,
    sessionId: row.session_id,
    traceId: row.trace_id,
    userId: row.user_id,
    parameters: row.parameters,
    responseSizeBytes: row.response_size_bytes,
    ...('response_data' in row ? { response: row.response_data } : {}),
  }
}
export type ToolCallResponse = ReturnType<typeof toToolCallResponse>
