import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { withContext } from '../../platform/db.ts'
import type { TestContext } from '../../../test/app.ts'

/**
 * Test plumbing of the analytics views: log rows arranged by the superuser (the writers of
 * these tables come with a later issue), and reads of the summary views as a user of an
 * organization, through the runtime role.
 */

export interface ToolCall {
  orgId: string
  at: Date
  durationMs: number
  success?: boolean
  responseSize?: number | null
  userId?: string | null
  sessionId?: string | null
  tool?: string
}

export async function insertToolCalls(admin: pg.Client, calls: ToolCall[]): Promise<void> {
  for (const call of calls) {
    await admin.query(
      `insert into telemetry.tool_usage_logs (organization_id, execution_id, bcp_name, tool_name, operation, duration_ms, success, response_size_bytes, user_id, session_id, "timestamp")
       values ($1, $2, 'contacts', $3, 'search', $4, $5, $6, $7, $8, $9)`,
      [call.orgId, randomUUID(), call.tool ?? 'hubspot-contacts', call.durationMs, call.success ?? true, call.responseSize ?? null, call.userId ?? null, call.sessionId ?? null, call.at])
  }
}

export interface ErrorRow {
  orgId: string | null
  at: Date
  level: string
  category?: string | null
  severity?: number | null
  resolved?: boolean
  errorCode?: string | null
  userId?: string | null
  sessionId?: string | null
}

export async function insertErrors(admin: pg.Client, errors: ErrorRow[]): Promise<void> {
  for (const error of errors) {
    await admin.query(
      `insert into telemetry.error_logs (organization_id, level, message, category, severity, resolved, error_code, user_id, session_id, "timestamp")
       values ($1, $2, 'something failed', $3, $4, $5, $6, $7, $8, $9)`,
      [error.orgId, error.level, error.category ?? null, error.severity ?? null, error.resolved ?? false, error.errorCode ?? null, error.userId ?? null, error.sessionId ?? null, error.at])
  }
}

export async function insertMetric(admin: pg.Client, orgId: string | null, name: string, period: string, value: number, at: Date): Promise<void> {
  await admin.query(
    `insert into telemetry.performance_metrics (organization_id, metric_name, metric_value, aggregation_period, labels, "timestamp")
     values ($1, $2, $3, $4, jsonb_build_object('sample', $5::text), $6)`,
    [orgId, name, value, period, randomUUID(), at])
}

export type SummaryView = 'telemetry.hourly_tool_usage' | 'telemetry.daily_errors' | 'telemetry.metrics_summary'

/** Every row of a summary view that the user sees inside the organization (runtime role, RLS live). */
export function readView(ctx: TestContext, userId: string, orgId: string, view: SummaryView) {
  return withContext(ctx.database.db, { userId, orgId }, (trx) => trx.selectFrom(view).selectAll().execute())
}

/** The start of the UTC hour `hoursAgo` hours before now. */
export function hourStart(hoursAgo: number): Date {
  const hour = Math.floor(Date.now() / 3_600_000) - hoursAgo
  return new Date(hour * 3_600_000)
}

/** The start of the UTC day `daysAgo` days before today. */
export function dayStart(daysAgo: number): Date {
  const day = Math.floor(Date.now() / 86_400_000) - daysAgo
  return new Date(day * 86_400_000)
}
