import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { notifyChange } from '../live/live.notify.ts'

/**
 * The one write path into ingest.pipeline_data and the organization's storage accounting,
 * shared by the ingest API, webhooks, pipeline runs and pipeline deletion, so every path
 * stores rows and counts their bytes the same way.
 */

/**
 * Escapes PostgreSQL's jsonb refuses although JSON.stringify writes them: \u0000 (text can't hold
 * NUL) and lone UTF-16 surrogates. An odd run of backslashes before the `u` makes it an escape.
 */
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i

/** Whether jsonb accepts this JSON text (see UNSTORABLE). */
export const isStorableJson = (json: string): boolean => !json.includes('\\u') || !UNSTORABLE.test(json)

/**
 * Stores a batch in one statement. The rows travel as ONE parameter, the text of a JSON array
 * of the documents, which PostgreSQL parses once and splits with jsonb_array_elements, zipped
 * with one timestamptz[] parameter: one round trip and one parse whatever the batch size.
 * COPY would be cheaper still, but COPY FROM is refused on a table with row-level security for
 * anyone the policies apply to, and the policies must apply here. A null record time means the
 * ingestion time (now() is the transaction's start, the same instant as ingested_at).
 */
export async function insertPipelineRows(
  db: Db,
  values: { orgId: string; pipelineId: string; jobId: string; documents: string; recordTimes: Array<string | null> | null },
): Promise<{ count: number; bytes: number }> {
  // Storage use counts what the rows take as stored (pg_column_size, like the hourly rollup's total_bytes).
  const { rows } = await sql<{ count: number; bytes: string }>`
    with inserted as (
      insert into ingest.pipeline_data (pipeline_id, organization_id, data, record_time, ingestion_job_id)
      select ${values.pipelineId}::uuid, ${values.orgId}::uuid, u.d, coalesce(u.t, now()), ${values.jobId}::uuid
        from rows from (jsonb_array_elements(${values.documents}::jsonb), unnest(${values.recordTimes}::timestamptz[])) as u(d, t)
      returning pg_column_size(data) as size)
    select count(*)::int as count, coalesce(sum(size), 0)::text as bytes,
           -- Delivered to live dashboards when (and only if) this batch commits.
           (select ${notifyChange({ orgId: values.orgId, kind: 'pipeline', ids: [values.pipelineId] })}) as notified
      from inserted`.execute(db)
  return { count: rows[0]?.count ?? 0, bytes: Number(rows[0]?.bytes ?? 0) }
}

/** Adds (or, negative, removes) bytes of the organization's storage use, refusing to pass its limit. */
export async function addStorageUsed(db: Db, orgId: string, bytes: number): Promise<{ ok: boolean; usedGb: number; limitGb: number | null }> {
  const { rows } = await sql<{ ok: boolean; used_gb: string; limit_gb: number | null }>`
    select * from private.add_storage_used(${orgId}::uuid, ${Math.round(bytes)}::bigint)`.execute(db)
  const row = rows[0]
  return { ok: row?.ok ?? false, usedGb: Number(row?.used_gb ?? 0), limitGb: row?.limit_gb ?? null }
}
