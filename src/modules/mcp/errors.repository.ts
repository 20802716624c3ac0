import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * Reads the organization's rows of telemetry.error_logs for the MCP tools. The error module
 * (grouping, reopening, resolving: error-logs.repository.ts) owns the table.
 */

export interface ErrorFilter {
  since: Date
  level?: string | undefined
  category?: string | undefined
}

/** Seed 002's daily_error_summary figures, computed live for one organization (the view refreshes every 5 minutes). */
export function dailyErrorFigures(db: Db, orgId: string, filter: ErrorFilter) {
  let query = db
    .selectFrom('telemetry.error_logs as e')
    .select([
      sql<Date>`date_trunc('day', e."timestamp" at time zone 'UTC') at time zone 'UTC'`.as('day'),
      'e.level',
      'e.category',
      sql<string>`count(*)`.as('error_count'),
      sql<string>`coalesce(sum(coalesce(e.occurrence_count, 1)), 0)`.as('occurrences'),
      sql<string>`count(distinct e.user_id)`.as('affected_users'),
      sql<string>`count(*) filter (where e.resolved = true)`.as('resolved_count'),
      sql<string>`count(*) filter (where e.resolved is not true)`.as('unresolved_count'),
      sql<string | null>`avg(e.severity)::numeric(3, 2)::text`.as('avg_severity'),
      sql<string | null>`string_agg(distinct e.error_code, ', ')`.as('error_codes'),
    ])
    .where('e.organization_id', '=', orgId)
    .where('e.timestamp', '>=', filter.since)
  if (filter.level !== undefined) query = query.where('e.level', '=', filter.level)
  if (filter.category !== undefined) query = query.where('e.category', '=', filter.category)
  return query.groupBy([sql`1`, 'e.level', 'e.category']).orderBy(sql`1`, 'desc').orderBy('e.level').execute()
}

/** The most recent errors (unresolved only unless asked), newest occurrence first. */
export function recentErrors(db: Db, orgId: string, filter: ErrorFilter & { includeResolved: boolean; limit: number }) {
  let query = db
    .selectFrom('telemetry.error_logs as e')
    .select([
      'e.id', 'e.timestamp', 'e.level', 'e.message', 'e.error_code', 'e.category', 'e.severity', 'e.impact_level', 'e.occurrence_count',
      'e.first_occurrence', 'e.last_occurrence', 'e.resolved', 'e.resolved_at', 'e.resolution_notes', 'e.request_id', 'e.execution_id',
    ])
    .where('e.organization_id', '=', orgId)
    .where('e.timestamp', '>=', filter.since)
  if (!filter.includeResolved) query = query.where('e.resolved', 'is not', true)
  if (filter.level !== undefined) query = query.where('e.level', '=', filter.level)
  if (filter.category !== undefined) query = query.where('e.category', '=', filter.category)
  return query.orderBy(sql`coalesce(e.last_occurrence, e."timestamp")`, 'desc').orderBy('e.id', 'desc').limit(filter.limit).execute()
}
