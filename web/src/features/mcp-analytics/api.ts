/** GET /api/v1/orgs/{orgId}/tool-calls and …/summary (src/modules/mcp/tool-analytics.routes.ts). */

export interface ToolCall {
  executionId: string
  timestamp: string
  source: 'tessera' | 'external'
  server: string
  tool: string
  operation: string
  success: boolean
  errorType: 'protocol' | 'tool' | null
  errorCode: string | null
  errorMessage: string | null
  durationMs: number
  cacheHit: boolean
  client: { name: string; version: string | null } | null
  protocolVersion: string | null
  sessionId: string | null
  traceId: string | null
  userId: string | null
  parameters: unknown
  responseSizeBytes: number | null
  response?: unknown
}

export interface ToolCallPage {
  from: string
  to: string
  calls: ToolCall[]
}

export interface ToolFigures {
  server: string
  tool: string
  calls: number
  failed: number
  successRate: number
  p50Ms: number
  p95Ms: number
  maxMs: number
  cacheHitRate: number
}

/** One tool's calls in one hour; `source` says whether the hour came from the hourly summary view or the live log. */
export interface HourlyRow {
  hour: string
  tool: string
  calls: number
  failed: number
  p50Ms: number | null
  p95Ms: number | null
  source: 'summary' | 'logs'
}

export interface ToolUsageSummary {
  from: string
  to: string
  /** Hours before this one come from the hourly summary view, later ones from the live log (null: all from the log). */
  summaryThrough: string | null
  totals: {
    calls: number
    successRate: number | null
    p50Ms: number | null
    p95Ms: number | null
    users: number
    clients: number
    sessions: number
    cacheHitRate: number | null
  }
  tools: ToolFigures[]
  hourly: HourlyRow[]
  topErrors: Array<{ tool: string; errorType: string | null; errorCode: string | null; message: string | null; count: number; lastSeen: string }>
  clients: Array<{ name: string; version: string | null; calls: number; users: number }>
}

export const WINDOWS = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
] as const

export function formatPercent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(value === 1 || value === 0 ? 0 : 1)} %`
}

export function formatMs(value: number | null): string {
  if (value === null) {
    return '—'
  }
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`
}
