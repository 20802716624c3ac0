import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { hourly, perToolCounts, perToolLatency, summaryThrough, topClients, topErrors, totals } from './tool-analytics.repository.ts'
import { toToolCallResponse } from './tool-calls.mapper.ts'
import { searchToolCalls } from './tool-usage.repository.ts'

const HOUR_MS = 3_600_000
const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(schema: T) => Type.Union([Type.Null(), schema])
const READ = { auth: 'any', scope: 'read' } as const
const tags = ['mcp']

const ListQuery = Type.Object(
  {
    tool: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    server: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    success: Type.Optional(Type.Boolean()),
    errorType: Type.Optional(Type.Union([Type.Literal('protocol'), Type.Literal('tool')])),
    source: Type.Optional(Type.Union([Type.Literal('tessera'), Type.Literal('external')])),
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    traceId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Text in the tool name, the error message or the parameters' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: 24 hours before to' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now; at most a year after from' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)

const ToolCall = Type.Object({
  executionId: Type.String(),
  timestamp: DateTime,
  source: Type.String(),
  server: Type.String(),
  tool: Type.String(),
  operation: Type.String(),
  success: Type.Boolean(),
  errorType: Type.Union([Type.Null(), Type.String()]),
  errorCode: Type.Union([Type.Null(), Type.String()]),
  errorMessage: Type.Union([Type.Null(), Type.String()]),
  durationMs: Type.Integer(),
  cacheHit: Type.Boolean(),
  client: Type.Union([Type.Null(), Type.Object({ name: Type.String(), version: Type.Union([Type.Null(), Type.String()]) })]),
  protocolVersion: Type.Union([Type.Null(), Type.String()]),
  sessionId: Type.Union([Type.Null(), Type.String()]),
  traceId: Type.Union([Type.Null(), Type.String()]),
  userId: Type.Union([Type.Null(), Type.String()]),
  parameters: Type.Unknown(),
  responseSizeBytes: Type.Union([Type.Null(), Type.Integer()]),
  response: Type.Optional(Type.Unknown()),
})

const SummaryQuery = Type.Object(
  { hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, default: 24, description: 'The window: this many hours up to now, from the start of the hour (default 24, at most 30 days)' })) },
  { additionalProperties: false },
)

const Summary = Type.Object({
  from: Type.String({ format: 'date-time', description: 'The start of the window: the start of the hour `hours` before now' }),
  to: DateTime,
  summaryThrough: Type.Union([Type.Null(), DateTime], {
    description: 'Hours before this one come from the summary view hourly_tool_usage_summary (refreshed every 5 minutes), this hour and later ones from the raw log; null when the view covers no hour of the window',
  }),
  totals: Type.Object({
    calls: Type.Integer(),
    successRate: Nullable(Type.Number()),
    p50Ms: Nullable(Type.Number()),
    p95Ms: Nullable(Type.Number()),
    users: Type.Integer(),
    clients: Type.Integer(),
    sessions: Type.Integer(),
    cacheHitRate: Nullable(Type.Number()),
  }, { description: 'Exact figures of the window, from the raw log: window percentiles, distinct users, clients and sessions, and cache hits cannot be rebuilt from hourly rows' }),
  tools: Type.Array(Type.Object({
    server: Type.String(), tool: Type.String(), calls: Type.Integer(), failed: Type.Integer(), successRate: Type.Number(),
    p50Ms: Type.Number(), p95Ms: Type.Number(), maxMs: Type.Integer(), cacheHitRate: Type.Number(),
  }), { description: 'calls, failed and maxMs: summary view before summaryThrough, raw log after; p50Ms, p95Ms and cacheHitRate of the whole window from the raw log' }),
  hourly: Type.Array(Type.Object({
    hour: DateTime, tool: Type.String(), calls: Type.Integer(), failed: Type.Integer(),
    p50Ms: Nullable(Type.Number({ description: "The hour's median duration; where the tool ran on several servers or operations that hour, the slowest of theirs" })),
    p95Ms: Nullable(Type.Number({ description: "The hour's p95 duration, the same way" })),
    source: Type.Union([Type.Literal('summary'), Type.Literal('logs')], { description: 'summary: the summary view (hours before summaryThrough); logs: the raw log' }),
  })),
  topErrors: Type.Array(Type.Object({
    tool: Type.String(), errorType: Type.Union([Type.Null(), Type.String()]), errorCode: Type.Union([Type.Null(), Type.String()]),
    message: Type.Union([Type.Null(), Type.String()]), count: Type.Integer(), lastSeen: DateTime,
  })),
  clients: Type.Array(Type.Object({ name: Type.String(), version: Type.Union([Type.Null(), Type.String()]), calls: Type.Integer(), users: Type.Integer() })),
})

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole)
const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10)

/** The MCP analytics page's reads: the organization's recorded tool calls, and their figures over a window. */
export function toolAnalyticsRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/tool-calls', {
      config: READ,
      schema: {
        tags,
        summary: "The organization's recorded MCP tool calls, newest first (Tessera's own and external ones), with their parameters and responses",
        params: OrgParams,
        querystring: ListQuery,
        response: { 200: Type.Object({ from: DateTime, to: DateTime, calls: Type.Array(ToolCall) }) },
      },
    }, async (request) => {
      const query = request.query
      const to = query.to ? new Date(query.to) : new Date()
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * HOUR_MS)
      if (!(from < to) || to.getTime() - from.getTime() > 366 * 24 * HOUR_MS) {
        throw new AppError('invalid_time_range', 400, 'from must be before to, at most a year apart')
      }
      const rows = await withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        searchToolCalls(trx, actor.orgId, {
          toolName: query.tool, bcpName: query.server, success: query.success, errorType: query.errorType, source: query.source,
          sessionId: query.sessionId, traceId: query.traceId, text: query.q, from, to, limit: query.limit ?? 50,
        }, true))
      return { from: from.toISOString(), to: to.toISOString(), calls: rows.map(toToolCallResponse) }
    })

    app.get('/orgs/:orgId/tool-calls/summary', {
      config: READ,
      schema: {
        tags,
        summary: 'MCP analytics: calls, success rate, p50/p95 durations, users, clients, sessions and cache hit rate over a window; per tool, per hour, top errors and clients',
        description: 'Calls per hour and per tool come from the summary view hourly_tool_usage_summary for the hours it covers (before `summaryThrough`) and from the raw tool-call log after, so the latest calls show at once and no hour is counted twice. '
          + 'The totals, the window p50/p95 and cache hit rate of each tool, the top errors and the clients come from the raw log: the view keeps no clients, cache hits or error messages, and window percentiles cannot be rebuilt from hourly ones.',
        params: OrgParams,
        querystring: SummaryQuery,
        response: { 200: Summary },
      },
    }, async (request) => {
      const to = new Date()
      // Whole hours, so that the window's first hour is the same in the summary view and the log.
      const from = new Date(Math.floor((to.getTime() - (request.query.hours ?? 24) * HOUR_MS) / HOUR_MS) * HOUR_MS)
      const figures = await withOrgActor(services, request, request.params.orgId, async (trx, actor) => {
        const viewThrough = await summaryThrough(trx, actor.orgId)
        // Hours before `through` from the view; never past the current hour, never before the window.
        const through = new Date(Math.min(Math.max(viewThrough?.getTime() ?? 0, from.getTime()), Math.floor(to.getTime() / HOUR_MS) * HOUR_MS))
        return {
          through,
          totals: await totals(trx, actor.orgId, from, to),
          counts: await perToolCounts(trx, actor.orgId, from, through, to),
          latency: await perToolLatency(trx, actor.orgId, from, to),
          hourly: await hourly(trx, actor.orgId, from, through, to),
          errors: await topErrors(trx, actor.orgId, from, to),
          clients: await topClients(trx, actor.orgId, from, to),
        }
      })
      const latency = new Map(figures.latency.map((row) => [JSON.stringify([row.bcp_name, row.tool_name]), row]))
      const calls = Number(figures.totals.calls)
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        summaryThrough: figures.through > from ? figures.through.toISOString() : null,
        totals: {
          calls,
          successRate: ratio(Number(figures.totals.successful), calls),
          p50Ms: round(figures.totals.p50),
          p95Ms: round(figures.totals.p95),
          users: Number(figures.totals.users),
          clients: Number(figures.totals.clients),
          sessions: Number(figures.totals.sessions),
          cacheHitRate: ratio(Number(figures.totals.cache_hits), calls),
        },
        tools: figures.counts.map((row) => {
          const exact = latency.get(JSON.stringify([row.bcp_name, row.tool_name]))
          return {
            server: row.bcp_name,
            tool: row.tool_name,
            calls: row.calls,
            failed: row.failed,
            successRate: row.calls === 0 ? 1 : 1 - row.failed / row.calls,
            p50Ms: round(exact?.p50 ?? null) ?? 0,
            p95Ms: round(exact?.p95 ?? null) ?? 0,
            maxMs: row.max_ms,
            cacheHitRate: exact ? Number(exact.cache_hits) / Number(exact.calls) : 0,
          }
        }),
        hourly: figures.hourly.map((row) => ({
          hour: row.hour.toISOString(), tool: row.tool_name, calls: row.calls, failed: row.failed, p50Ms: round(row.p50), p95Ms: round(row.p95), source: row.source,
        })),
        topErrors: figures.errors.map((row) => ({
          tool: row.tool_name, errorType: row.error_type, errorCode: row.error_code, message: row.message, count: Number(row.count), lastSeen: row.last_seen.toISOString(),
        })),
        clients: figures.clients.map((row) => ({ name: row.client_name ?? '', version: row.client_version, calls: Number(row.calls), users: Number(row.users) })),
      }
    })
  }
}
