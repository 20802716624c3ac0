import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * The MCP analytics figures of one organization over a window, from telemetry.tool_usage_logs.
 * Computed from the log itself rather than from hourly_tool_usage_summary: percentiles of a
 * window can't be rebuilt from hourly percentiles, the summary knows neither clients nor
 * cache hits nor error messages, and it lags up to its 5-minute refresh.
 */

const window = (orgId: string, from: Date, to: Date) => (db: Db) =>
  db.selectFrom('telemetry.tool_usage_logs as l').where('l.organization_id', '=', orgId).where('l.timestamp', '>=', from).where('l.timestamp', '<', to)

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

export function perTool(db: Db, orgId: string, from: Date, to: Date) {
  return window(orgId, from, to)(db)
    .select([
      'l.bcp_name', 'l.tool_name',
      sql<string>`count(*)`.as('calls'),
      sql<string>`count(*) filter (where not l.success)`.as('failed'),
      sql<number>`percentile_cont(0.5) within group (order by l.duration_ms)`.as('p50'),
      sql<number>`percentile_cont(0.95) within group (order by l.duration_ms)`.as('p95'),
      sql<number>`max(l.duration_ms)`.as('max_ms'),
      sql<string>`count(*) filter (where l.cache_hit)`.as('cache_hits'),
    ])
    .groupBy(['l.bcp_name', 'l.tool_name'])
    .orderBy(sql`count(*)`, 'desc')
    .limit(100)
    .execute()
}

export function hourly(db: Db, orgId: string, from: Date, to: Date) {
  return window(orgId, from, to)(db)
    .select([
      sql<Date>`date_trunc('hour', l."timestamp" at time zone 'UTC') at time zone 'UTC'`.as('hour'),
      'l.tool_name',
      sql<string>`count(*)`.as('calls'),
      sql<string>`count(*) filter (where not l.success)`.as('failed'),
    ])
    .groupBy([sql`1`, 'l.tool_name'])
    .orderBy(sql`1`)
    .execute()
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
