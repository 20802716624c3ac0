import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * Queries over telemetry.error_logs, one row per error group (db/migrations/0280). Row-Level
 * Security decides which groups a caller sees (instance administrators: all; an
 * organization's members: its own); the organization filter here is explicit on top.
 */

export type ErrorSort = 'last_occurrence' | 'occurrence_count'

export interface ErrorFilters {
  /** Only this organization's groups (organization routes). */
  orgId?: string | undefined
  resolved?: boolean | undefined
  category?: string | undefined
  level?: string | undefined
  q?: string | undefined
  sort: ErrorSort
  /** Keyset position: rows after (sortValue, id) in the sort order. */
  after?: { value: string; id: string } | undefined
  limit: number
}

export interface ErrorRow {
  id: string
  organization_id: string | null
  organization_name: string | null
  level: string
  message: string
  error_code: string | null
  category: string | null
  severity: number | null
  impact_level: string | null
  context: Record<string, unknown> | null
  occurrence_count: number
  first_occurrence: Date
  last_occurrence: Date
  /** The sort key as exact text (microseconds or the count), for the cursor. */
  sort_value: string
  resolved: boolean
  resolved_at: Date | null
  reopened_count: number
  environment: string | null
  service_version: string | null
}

export interface ErrorDetailRow extends ErrorRow {
  fingerprint: string | null
  stack_trace: string | null
  tool_context: unknown
  request_id: string | null
  execution_id: string | null
  session_id: string | null
  user_id: string | null
  resolved_by: string | null
  resolved_by_email: string | null
  resolution_notes: string | null
}

const LAST = sql`coalesce(l.last_occurrence, l."timestamp")`
const COUNT = sql`coalesce(l.occurrence_count, 1)`

const summaryColumns = sql`
  l.id::text as id, l.organization_id, o.name as organization_name, l.level, l.message, l.error_code, l.category,
  l.severity, l.impact_level, l.context, ${COUNT} as occurrence_count, coalesce(l.first_occurrence, l."timestamp") as first_occurrence,
  ${LAST} as last_occurrence, coalesce(l.resolved, false) as resolved, l.resolved_at, l.reopened_count, l.environment, l.service_version`

function conditions(filters: ErrorFilters): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [sql`true`]
  if (filters.orgId) {
    where.push(sql`l.organization_id = ${filters.orgId}::uuid`)
  }
  if (filters.resolved !== undefined) {
    where.push(sql`coalesce(l.resolved, false) = ${filters.resolved}`)
  }
  if (filters.category) {
    where.push(sql`l.category = ${filters.category}`)
  }
  if (filters.level) {
    where.push(sql`l.level = ${filters.level}`)
  }
  if (filters.q) {
    // The expression of seed 002's idx_error_logs_message_fts, so the GIN index serves it.
    where.push(sql`to_tsvector('english', l.message) @@ websearch_to_tsquery('english', ${filters.q})`)
  }
  if (filters.after) {
    where.push(filters.sort === 'occurrence_count'
      ? sql`(${COUNT}, l.id) < (${filters.after.value}::integer, ${filters.after.id}::bigint)`
      : sql`(${LAST}, l.id) < (${filters.after.value}::timestamptz, ${filters.after.id}::bigint)`)
  }
  return where
}

export async function listErrorGroups(db: Db, filters: ErrorFilters): Promise<ErrorRow[]> {
  const sortKey = filters.sort === 'occurrence_count' ? COUNT : LAST
  const sortText = filters.sort === 'occurrence_count'
    ? sql`${COUNT}::text`
    : sql`to_char(${LAST} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
  const { rows } = await sql<ErrorRow>`
    select ${summaryColumns}, ${sortText} as sort_value
      from telemetry.error_logs l
      left join app.organizations o on o.id = l.organization_id
     where ${sql.join(conditions(filters), sql` and `)}
     order by ${sortKey} desc, l.id desc
     limit ${filters.limit}`.execute(db)
  return rows
}

export async function findErrorGroup(db: Db, id: string, orgId?: string): Promise<ErrorDetailRow | undefined> {
  const { rows } = await sql<ErrorDetailRow>`
    select ${summaryColumns}, '' as sort_value, l.fingerprint, l.stack_trace, l.tool_context, l.request_id, l.execution_id,
           l.session_id, l.user_id, l.resolved_by, u.email::text as resolved_by_email, l.resolution_notes
      from telemetry.error_logs l
      left join app.organizations o on o.id = l.organization_id
      left join auth.users u on u.id = l.resolved_by
     where l.id = ${id}::bigint ${orgId ? sql`and l.organization_id = ${orgId}::uuid` : sql``}`.execute(db)
  return rows[0]
}

/** Marks a group resolved; false when the caller may not see or resolve it (RLS) or it does not exist. */
export interface ResolvedError {
  id: string
  timestamp: Date
  message: string
  resolved: boolean | null
  resolved_at: Date | null
  resolved_by: string | null
  resolution_notes: string | null
}

/** Marks a group resolved with notes (the admin route and the MCP tool both); undefined when there is no such group (in orgId). */
export async function resolveErrorGroup(db: Db, id: string, userId: string, notes: string, orgId?: string): Promise<ResolvedError | undefined> {
  const { rows } = await sql<ResolvedError>`
    update telemetry.error_logs l
       set resolved = true, resolved_at = now(), resolved_by = ${userId}::uuid, resolution_notes = ${notes}
     where l.id = ${id}::bigint ${orgId ? sql`and l.organization_id = ${orgId}::uuid` : sql``}
     returning l.id::text as id, l."timestamp", l.message, l.resolved, l.resolved_at, l.resolved_by, l.resolution_notes`.execute(db)
  return rows[0]
}
