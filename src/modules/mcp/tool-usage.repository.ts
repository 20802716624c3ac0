import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import type { ToolUsageRow } from './tool-usage.record.ts'

const INSERT_CHUNK = 500

/**
 * Appends tool calls of the transaction's organization (RLS: tenant_member_append). A call
 * already recorded (same organization, execution id and timestamp: an OTLP exporter sending a
 * span again) is skipped. Returns how many rows were new.
 */
export async function insertToolCalls(db: Db, rows: ToolUsageRow[]): Promise<number> {
  let inserted = 0
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const result = await db
      .insertInto('telemetry.tool_usage_logs')
      .values(rows.slice(start, start + INSERT_CHUNK))
      .onConflict((conflict) => conflict.columns(['organization_id', 'execution_id', 'timestamp']).doNothing())
      .executeTakeFirst()
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0)
  }
  return inserted
}

export interface ToolCallFilter {
  toolName?: string | undefined
  bcpName?: string | undefined
  success?: boolean | undefined
  errorType?: 'protocol' | 'tool' | undefined
  source?: 'tessera' | 'external' | undefined
  sessionId?: string | undefined
  traceId?: string | undefined
  text?: string | undefined
  from: Date
  to: Date
  limit: number
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** One organization's tool calls, newest first. */
export function searchToolCalls(db: Db, orgId: string, filter: ToolCallFilter, withResponses: boolean) {
  let query = db
    .selectFrom('telemetry.tool_usage_logs as l')
    .select([
      'l.execution_id', 'l.timestamp', 'l.source', 'l.bcp_name', 'l.tool_name', 'l.operation', 'l.success', 'l.error_type', 'l.error_code',
      'l.error_message', 'l.duration_ms', 'l.cache_hit', 'l.client_name', 'l.client_version', 'l.protocol_version', 'l.session_id', 'l.trace_id',
      'l.parameters', 'l.response_size_bytes', 'l.user_id',
    ])
    .$if(withResponses, (q) => q.select('l.response_data'))
    .where('l.organization_id', '=', orgId)
    .where('l.timestamp', '>=', filter.from)
    .where('l.timestamp', '<', filter.to)
  if (filter.toolName !== undefined) query = query.where('l.tool_name', '=', filter.toolName)
  if (filter.bcpName !== undefined) query = query.where('l.bcp_name', '=', filter.bcpName)
  if (filter.success !== undefined) query = query.where('l.success', '=', filter.success)
  if (filter.errorType !== undefined) query = query.where('l.error_type', '=', filter.errorType)
  if (filter.source !== undefined) query = query.where('l.source', '=', filter.source)
  if (filter.sessionId !== undefined) query = query.where('l.session_id', '=', filter.sessionId)
  if (filter.traceId !== undefined) query = query.where('l.trace_id', '=', filter.traceId)
  if (filter.text !== undefined) {
    const pattern = likePattern(filter.text)
    query = query.where((eb) =>
      eb.or([
        eb('l.tool_name', 'ilike', pattern),
        eb('l.error_message', 'ilike', pattern),
        eb(sql<string>`l.parameters::text`, 'ilike', pattern),
      ]))
  }
  return query.orderBy('l.timestamp', 'desc').orderBy('l.id', 'desc').limit(filter.limit).execute()
}
