import { sql, type Expression, type SqlBool } from 'kysely'
import type { Db } from '../../platform/db.ts'

export interface AuditFilters {
  /** Always set: literal bounds let the planner prune monthly partitions. */
  from: Date
  to: Date
  orgId?: string | undefined
  actorId?: string | undefined
  actorEmail?: string | undefined
  resource?: string | undefined
  action?: string | undefined
  eventType?: string | undefined
  /** Keyset position: rows strictly older than (createdAt, id). createdAt keeps microseconds. */
  before?: { createdAt: string; id: string } | undefined
  limit: number
}

export interface AuditRow {
  id: string
  created_at: Date
  created_at_exact: string
  table_name: string
  record_id: string | null
  action: string
  event_type: string
  event_category: string
  severity: string
  user_id: string | null
  user_email: string | null
  organization_id: string | null
  ip_address: string | null
  changed_fields: string[] | null
  old_values: unknown
  new_values: unknown
  event_details: unknown
  request_id: string | null
}

/** The audit query (exported so tests can EXPLAIN it). Newest first, keyset-paginated on (created_at, id). */
export function auditQuery(db: Db, filters: AuditFilters) {
  return db
    .selectFrom('audit.audit_log as a')
    .leftJoin('auth.users as u', 'u.id', 'a.user_id')
    .select([
      'a.id', 'a.created_at', 'a.table_name', 'a.record_id', 'a.action', 'a.event_type', 'a.event_category', 'a.severity',
      'a.user_id', 'a.organization_id', 'a.changed_fields', 'a.old_values', 'a.new_values', 'a.event_details', 'a.request_id',
    ])
    .select([
      sql<string>`to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_at_exact'),
      sql<string | null>`coalesce(a.user_email, u.email::text)`.as('user_email'),
      sql<string | null>`host(a.ip_address)`.as('ip_address'),
    ])
    .where('a.created_at', '>=', filters.from)
    .where('a.created_at', '<', filters.to)
    .where((eb) => {
      const conditions: Expression<SqlBool>[] = []
      if (filters.orgId) {
        // Explicit tenant filter; the policy is the backstop.
        conditions.push(eb('a.organization_id', '=', filters.orgId))
      }
      if (filters.actorId) {
        conditions.push(eb('a.user_id', '=', filters.actorId))
      }
      if (filters.actorEmail) {
        const email = filters.actorEmail
        conditions.push(
          eb.or([
            eb(sql`lower(a.user_email)`, '=', email.toLowerCase()),
            eb('a.user_id', 'in', eb.selectFrom('auth.users as actor').select('actor.id').where(sql<boolean>`actor.email = ${email}::public.citext`)),
          ]),
        )
      }
      if (filters.resource) {
        conditions.push(eb.or([eb('a.table_name', '=', filters.resource), eb('a.resource_type', '=', filters.resource)]))
      }
      if (filters.action) {
        conditions.push(eb('a.action', '=', filters.action))
      }
      if (filters.eventType) {
        conditions.push(eb('a.event_type', '=', filters.eventType))
      }
      if (filters.before) {
        conditions.push(sql<boolean>`(a.created_at, a.id) < (${filters.before.createdAt}::timestamptz, ${filters.before.id}::bigint)`)
      }
      return eb.and(conditions)
    })
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(filters.limit)
}

export async function listAudit(db: Db, filters: AuditFilters): Promise<AuditRow[]> {
  return (await auditQuery(db, filters).execute()) as AuditRow[]
}
