import { z } from 'zod'
import { AppError, notFound } from '../../platform/errors.ts'
import { MANAGERS } from '../organizations/org-actor.ts'
import { resolveErrorGroup } from '../error-logs/error-logs.repository.ts'
import { dailyErrorFigures, recentErrors } from './errors.repository.ts'
import { defineTool } from './mcp.tool.ts'
import { toToolCallResponse } from './tool-calls.mapper.ts'
import { searchToolCalls } from './tool-usage.repository.ts'

const DAY_MS = 86_400_000
const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null)
const count = (value: string | number | null | undefined) => Number(value ?? 0)

export const searchToolCallsTool = defineTool({
  name: 'search_tool_calls',
  title: 'Search tool calls',
  description:
    "Searches your organization's recorded MCP tool calls (Tessera's own and those other MCP servers sent through OTLP or the logging API), newest first: " +
    'tool, server, outcome (error_type protocol: refused before running, tool: the tool answered an error), duration, client, session, trace and the redacted parameters. ' +
    'Calls are written in batches, a few seconds after they happen.',
  input: z.strictObject({
    tool: z.string().min(1).max(100).optional().describe('Exact tool name'),
    server: z.string().min(1).max(100).optional().describe("Exact server name (bcp_name): 'tessera' for Tessera's own tools"),
    success: z.boolean().optional().describe('Only successful (true) or failed (false) calls'),
    errorType: z.enum(['protocol', 'tool']).optional().describe('Only failures of this kind'),
    source: z.enum(['tessera', 'external']).optional().describe("Only Tessera's own calls, or only other servers' calls"),
    sessionId: z.string().min(1).max(255).optional().describe('Only calls of this MCP session'),
    traceId: z.string().regex(/^[\da-f]{32}$/).optional().describe('Only calls of this trace (32 hex digits)'),
    text: z.string().min(1).max(200).optional().describe('Text found in the tool name, the error message or the parameters'),
    from: z.iso.datetime({ offset: true }).optional().describe('Start (ISO 8601 with offset); default 24 hours before to'),
    to: z.iso.datetime({ offset: true }).optional().describe('End (ISO 8601 with offset); default now'),
    limit: z.number().int().min(1).max(100).default(20).describe('At most this many (default 20)'),
    includeResponses: z.boolean().default(false).describe('Also return each stored (truncated) response'),
  }),
  async run(ctx, args) {
    const to = args.to ? new Date(args.to) : new Date()
    const from = args.from ? new Date(args.from) : new Date(to.getTime() - DAY_MS)
    if (!(from < to) || to.getTime() - from.getTime() > 366 * DAY_MS) {
      throw new AppError('invalid_time_range', 400, 'from must be before to, at most a year apart')
    }
    const rows = await ctx.inOrg((trx, actor) =>
      searchToolCalls(trx, actor.orgId, {
        toolName: args.tool, bcpName: args.server, success: args.success, errorType: args.errorType, source: args.source,
        sessionId: args.sessionId, traceId: args.traceId, text: args.text, from, to, limit: args.limit,
      }, args.includeResponses))
    return {
      data: {
        from: from.toISOString(),
        to: to.toISOString(),
        calls: rows.map(toToolCallResponse),
      },
    }
  },
})

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const

export const getErrorSummaryTool = defineTool({
  name: 'get_error_summary',
  title: 'Get an error summary',
  description:
    "Summarizes your organization's recorded errors over the last days: per day, level and category the number of errors (and occurrences of grouped errors), " +
    'resolved and unresolved counts, affected users, average severity and error codes; plus the most recent errors (unresolved only unless includeResolved) ' +
    'with their id, which resolve_error takes.',
  input: z.strictObject({
    days: z.number().int().min(1).max(90).default(7).describe('How many days back (default 7, at most 90)'),
    level: z.enum(LEVELS).optional().describe('Only errors of this level'),
    category: z.string().min(1).max(50).optional().describe('Only errors of this category, e.g. database, validation, external_api'),
    includeResolved: z.boolean().default(false).describe('List resolved errors too'),
    limit: z.number().int().min(1).max(50).default(10).describe('How many recent errors to list (default 10)'),
  }),
  async run(ctx, args) {
    const since = new Date(Date.now() - args.days * DAY_MS)
    const filter = { since, level: args.level, category: args.category }
    const { days, errors } = await ctx.inOrg(async (trx, actor) => ({
      days: await dailyErrorFigures(trx, actor.orgId, filter),
      errors: await recentErrors(trx, actor.orgId, { ...filter, includeResolved: args.includeResolved, limit: args.limit }),
    }))
    return {
      data: {
        since: since.toISOString(),
        totals: {
          errors: days.reduce((sum, day) => sum + count(day.error_count), 0),
          unresolved: days.reduce((sum, day) => sum + count(day.unresolved_count), 0),
        },
        days: days.map((day) => ({
          day: day.day.toISOString().slice(0, 10),
          level: day.level,
          category: day.category,
          errorCount: count(day.error_count),
          occurrences: count(day.occurrences),
          resolvedCount: count(day.resolved_count),
          unresolvedCount: count(day.unresolved_count),
          affectedUsers: count(day.affected_users),
          avgSeverity: day.avg_severity === null ? null : Number(day.avg_severity),
          errorCodes: day.error_codes,
        })),
        recentErrors: errors.map((error) => ({
          id: error.id,
          timestamp: error.timestamp.toISOString(),
          level: error.level,
          message: error.message,
          errorCode: error.error_code,
          category: error.category,
          severity: error.severity,
          impactLevel: error.impact_level,
          occurrenceCount: error.occurrence_count,
          firstOccurrence: iso(error.first_occurrence),
          lastOccurrence: iso(error.last_occurrence),
          resolved: error.resolved ?? false,
          resolvedAt: iso(error.resolved_at),
          resolutionNotes: error.resolution_notes,
          requestId: error.request_id,
        })),
      },
    }
  },
})

export const resolveErrorTool = defineTool({
  name: 'resolve_error',
  title: 'Resolve an error',
  description:
    'Marks one recorded error resolved, with notes on what was done (write: needs an API key with the write scope, created by an owner or admin). ' +
    'The id comes from get_error_summary. A resolved error that happens again is reopened by Tessera.',
  write: true,
  input: z.strictObject({
    errorId: z.string().regex(/^[1-9]\d{0,18}$/).describe('The error id from get_error_summary (digits, as a string)'),
    notes: z.string().trim().min(1).max(5_000).describe('What was done about it (kept as resolution notes)'),
  }),
  async run(ctx, args) {
    const row = await ctx.inOrg(async (trx, actor) => {
      const resolved = await resolveErrorGroup(trx, args.errorId, actor.userId, args.notes, actor.orgId)
      if (!resolved) {
        throw notFound('error')
      }
      return resolved
    }, MANAGERS)
    return {
      data: {
        error: {
          id: row.id,
          timestamp: row.timestamp.toISOString(),
          message: row.message,
          resolved: row.resolved ?? true,
          resolvedAt: iso(row.resolved_at),
          resolvedBy: row.resolved_by,
          resolutionNotes: row.resolution_notes,
        },
      },
    }
  },
})
