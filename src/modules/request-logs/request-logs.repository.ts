import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../platform/db.ts'

export interface RequestLogFilters {
  /** Always set: literal bounds let the planner prune monthly partitions. */
  from: Date
  to: Date
  /** Lowest status of the class (200 for 2xx). */
  statusFrom?: number | undefined
  route?: string | undefined
  userId?: string | undefined
  organizationId?: string | undefined
  /** Keyset position: rows strictly older than (timestamp, id); timestamp keeps microseconds. */
  before?: { timestamp: string; id: string } | undefined
  limit: number
}

export interface RequestLogRow {
  id: string
  request_id: string
  timestamp: Date
  timestamp_exact: string
  method: string
  route: string | null
  path: string
  response_status_code: number
  success: boolean
  error_type: string | null
  duration_ms: number
  queue_time_ms: number | null
  processing_time_ms: number | null
  response_size_bytes: number | null
  user_id: string | null
  user_email: string | null
  organization_id: string | null
  organization_name: string | null
  session_id: string | null
  ip_address: string | null
  user_agent: string | null
  client_version: string | null
  correlation_id: string | null
  trace_id: string | null
  span_id: string | null
  query_params: unknown
  request_headers: unknown
  request_body: unknown
  response_data: unknown
  response_headers: unknown
}

/** Newest first, keyset-paginated on ("timestamp", id); RLS decides which rows the caller sees. */
export async function listRequestLogs(db: Db, filters: RequestLogFilters): Promise<RequestLogRow[]> {
  const conditions: RawBuilder<unknown>[] = [sql`r."timestamp" >= ${filters.from}`, sql`r."timestamp" < ${filters.to}`]
  if (filters.statusFrom !== undefined) {
    conditions.push(sql`r.response_status_code >= ${filters.statusFrom} and r.response_status_code < ${filters.statusFrom + 100}`)
  }
  if (filters.route) {
    conditions.push(sql`r.route = ${filters.route}`)
  }
  if (filters.userId) {
    conditions.push(sql`r.user_id = ${filters.userId}::uuid`)
  }
  if (filters.organizationId) {
    conditions.push(sql`r.organization_id = ${filters.organizationId}::uuid`)
  }
  if (filters.before) {
    conditions.push(sql`(r."timestamp", r.id) < (${filters.before.timestamp}::timestamptz, ${filters.before.id}::bigint)`)
  }
  const { rows } = await sql<RequestLogRow>`
    select r.id, r.request_id, r."timestamp", to_char(r."timestamp" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as timestamp_exact,
           r.method, r.route, r.path, r.response_status_code, r.success, r.error_type, r.duration_ms, r.queue_time_ms,
           r.processing_time_ms, r.response_size_bytes, r.user_id, u.email::text as user_email, r.organization_id,
           o.name as organization_name, r.session_id, host(r.ip_address) as ip_address, r.user_agent, r.client_version,
           r.correlation_id, r.trace_id, r.span_id, r.query_params, r.request_headers, r.request_body, r.response_data,
           r.response_headers
      from telemetry.request_logs r
      left join auth.users u on u.id = r.user_id
      left join app.organizations o on o.id = r.organization_id
     where ${sql.join(conditions, sql` and `)}
     order by r."timestamp" desc, r.id desc
     limit ${filters.limit}`.execute(db)
  return rows
}
