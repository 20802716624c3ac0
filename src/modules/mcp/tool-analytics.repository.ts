import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * The MCP analytics figures of one organization over a window of whole hours.
 *
 * Counts per hour and per tool come from seed 002's hourly_tool_usage_summary (read through
 * telemetry.hourly_tool_usage, db/migrations/0181) for the hours it covers, and from
 * telemetry.tool_usage_logs only for the hours from `through` on (see summaryThrough): the
 * view is refreshed every 5 minutes, so the hour of its last refresh is incomplete there and
 * is recomputed from the log with every later hour, which keeps the page live. A summarized
 * hour is never read from the log, so no hour is counted twice.
 *
 * What the view cannot give stays on the log over the whole window: percentiles of a window
 * (hourly percentiles don't combine into one), distinct users, clients and sessions across
 * hours, cache hits and error messages (the view keeps none of them).
 */

const window = (orgId: string, from: Date, to: Date) => (db: Db) =>
  db.selectFrom('telemetry.tool_usage_logs as l').where('l.organization_id', '=', orgId).where('l.timestamp', '>=', from).where('l.timestamp', '<', to)

const summary = (orgId: string, from: Date, through: Date) => (db: Db) =>
  db.selectFrom('telemetry.hourly_tool_usage as s').where('s.organization_id', '=', orgId).where('s.hour', '>=', from).where('s.hour', '<', through)

/**
 * The start of the first hour the summary view does not cover yet: the later of the hour of
 * the newest row the view holds for the organization (that hour may have been summarized
 * while it was still running) and the hour of the last recorded analytics:refresh-views run
 * (an organization without calls since then has nothing newer in the view, yet every hour
 * before the refresh is complete). Null when the view holds nothing and was never refreshed.
 * A row written into a past hour after the refresh (a late OTLP export) shows after the next one.
 */
export async function summaryThrough(db: Db, orgId: string): Promise<Date | null> {
  const { rows } = await sql<{ through: Date | null }>`
    select greatest(
      (select max(s.hour) from telemetry.hourly_tool_usage s where s.organization_id = ${orgId}),
      (select date_trunc('hour', max(r.started_at) at time zone 'UTC') at time zone 'UTC'
         from ops.maintenance_runs r where r.job = 'analytics:refresh-views' and r.outcome = 'succeeded')
    ) as through`.execute(db)
  return rows[0]?.through ?? null
}

/** Exact figures of the whole window, from the log (window percentiles, distinct counts and cache hits need the rows). */
export function totals(db: Db, orgId: string, from: Date, to: Date) {
  return window(orgId, from, to)(db)
    .select([
      sql<string>`count(*)`.as('calls'),
      sql<string>`count(*) filter (where l.success)`.as('successful'),
      sql<number | null>`percentile_cont(0.5) within group (order by l.duration_ms)`.as('p50'),
      sql<number | null>`percentile_cont(0.95) within group (order by l.duration_ms)`.as('p95'),
      sql<string>`count(distinct l.user_id)`.as('users'),
      sql<string>`count(distinct l.client_name)`.as('clients'),
      sql<string>`count(distinct l.session_id)`.as('sessions'),
      sql<string>`count(*) filter (where l.cache_hit)`.as('cache_hits'),
    ])
    .executeTakeFirstOrThrow()
}

export interface ToolCounts {
  bcp_name: string
  tool_name: string
  calls: number
  failed: number
  max_ms: number
}

/** Calls, failures and the longest call per server and tool: summarized hours from the view, later ones from the log. */
export async function perToolCounts(db: Db, orgId: string, from: Date, through: Date, to: Date): Promise<ToolCounts[]> {
  const summarized = through > from
    ? await summary(orgId, from, through)(db)
      .select([
        sql<string>`s.bcp_name`.as('bcp_name'), sql<string>`s.tool_name`.as('tool_name'),
        sql<string>`sum(s.total_calls)`.as('calls'), sql<string>`sum(s.failed_calls)`.as('failed'), sql<number>`max(s.max_duration_ms)`.as('max_ms'),
      ])
      .groupBy(['s.bcp_name', 's.tool_name'])
      .execute()
    : []
  const recent = await window(orgId, through > from ? through : from, to)(db)
    .select([
      'l.bcp_name', 'l.tool_name',
      sql<string>`count(*)`.as('calls'), sql<string>`count(*) filter (where not l.success)`.as('failed'), sql<number>`max(l.duration_ms)`.as('max_ms'),
    ])
    .groupBy(['l.bcp_name', 'l.tool_name'])
    .execute()
  const byTool = new Map<string, ToolCounts>()
  for (const row of [...summarized, ...recent]) {
    const key = JSON.stringify([row.bcp_name, row.tool_name])
    const current = byTool.get(key) ?? { bcp_name: row.bcp_name, tool_name: row.tool_name, calls: 0, failed: 0, max_ms: 0 }
    byTool.set(key, { ...current, calls: current.calls + Number(row.calls), failed: current.failed + Number(row.failed), max_ms: Math.max(current.max_ms, row.max_ms) })
  }
  return [...byTool.values()].sort((a, b) => b.calls - a.calls).slice(0, 100)
}

/** Window percentiles and cache hits per server and tool, from the log: neither can be rebuilt from hourly rows. */
export function perToolLatency(db: Db, orgId: string, from: Date, to: Date) {
  return window(orgId, from, to)(db)
    .select([
      'l.bcp_name', 'l.tool_name',
      sql<string>`count(*)`.as('calls'),
      sql<number>`percentile_cont(0.5) within group (order by l.duration_ms)`.as('p50'),
      sql<number>`percentile_cont(0.95) within group (order by l.duration_ms)`.as('p95'),
      sql<string>`count(*) filter (where l.cache_hit)`.as('cache_hits'),
    ])
    .groupBy(['l.bcp_name', 'l.tool_name'])
    .execute()
}

export interface HourlyRow {
  hour: Date
  tool_name: string
  calls: number
  failed: number
  p50: number | null
  p95: number | null
  source: 'summary' | 'logs'
}

/**
 * Calls, failures and p50/p95 per hour and tool: hours before `through` from the view, the
 * others from the log. The view keeps one row per server and operation of a tool; an hour
 * where a tool ran on several of them gets the slowest of their percentiles (exact otherwise).
 */
export async function hourly(db: Db, orgId: string, from: Date, through: Date, to: Date): Promise<HourlyRow[]> {
  const summarized = through > from
    ? (await summary(orgId, from, through)(db)
      .select([
        sql<Date>`s.hour`.as('hour'), sql<string>`s.tool_name`.as('tool_name'),
        sql<string>`sum(s.total_calls)`.as('calls'), sql<string>`sum(s.failed_calls)`.as('failed'),
        sql<number | null>`max(s.median_duration_ms)`.as('p50'), sql<number | null>`max(s.p95_duration_ms)`.as('p95'),
      ])
      .groupBy(['s.hour', 's.tool_name'])
      .execute()).map((row) => ({ ...row, source: 'summary' as const }))
    : []
  const recent = (await window(orgId, through > from ? through : from, to)(db)
    .select([
      sql<Date>`date_trunc('hour', l."timestamp" at time zone 'UTC') at time zone 'UTC'`.as('hour'),
      'l.tool_name',
      sql<string>`count(*)`.as('calls'),
      sql<string>`count(*) filter (where not l.success)`.as('failed'),
      sql<number | null>`percentile_cont(0.5) within group (order by l.duration_ms)`.as('p50'),
      sql<number | null>`percentile_cont(0.95) within group (order by l.duration_ms)`.as('p95'),
    ])
    .groupBy([sql`1`, 'l.tool_name'])
    .execute()).map((row) => ({ ...row, source: 'logs' as const }))
  return [...summarized, ...recent]
    .map((row) => ({ ...row, calls: Number(row.calls), failed: Number(row.failed) }))
    .sort((a, b) => a.hour.getTime() - b.hour.getTime() || a.tool_name.localeCompare(b.tool_name))
}

export function topErrors(db: Db, orgId: string, from: Date, to: Date) {
  return window(orgId, from, to)(db)
    .where('l.success', '=', false)
    .select([
      'l.tool_name', 'l.error_type', 'l.error_code',
      sql<string | null>`left(l.error_message, 300)`.as('message'),
      sql<string>`count(*)`.as('count'),
      sql<Date>`max(l."timestamp")`.as('last_seen'),
    ])
    .groupBy(['l.tool_name', 'l.error_type', 'l.error_code', sql`left(l.error_message, 300)`])
    .orderBy(sql`count(*)`, 'desc')
    .limit(10)
    .execute()
}

export function topClients(db: Db, orgId: string, from: Date, to: Date) {
  return window(orgId, from, to)(db)
    .where('l.client_name', 'is not', null)
    .select(['l.client_name', 'l.client_version', sql<string>`count(*)`.as('calls'), sql<string>`count(distinct l.user_id)`.as('users')])
    .groupBy(['l.client_name', 'l.client_version'])
    .orderBy(sql`count(*)`, 'desc')
    .limit(10)
    .execute()
}
