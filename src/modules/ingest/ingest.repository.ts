import { sql } from 'kysely'
import type { Db, Trx } from '../../platform/db.ts'

export interface IngestPipelineRow {
  id: string
  type: string
  status: string
  status_reason: string | null
  persist_data: boolean
  source_schema: unknown
  mappings: unknown
  transformations: unknown
  timestamp_field: string | null
  mapping_version: number | null
  mapping_updated_at: Date | null
  storage_limit_gb: number | null
  storage_used_gb: string
}

/** The pipeline a batch goes to, its mapping and its organization's storage quota, in one query. */
export async function findPipelineForIngest(db: Db, orgId: string, pipelineId: string): Promise<IngestPipelineRow | undefined> {
  const { rows } = await sql<IngestPipelineRow>`
    select p.id, p.type, p.status, p.status_reason, p.persist_data,
           m.source_schema, m.mappings, m.transformations, m.timestamp_field, m.version as mapping_version, m.updated_at as mapping_updated_at,
           o.storage_limit_gb, o.storage_used_gb::text as storage_used_gb
      from ingest.pipelines p
      join app.organizations o on o.id = p.organization_id
      left join ingest.data_mappings m on m.pipeline_id = p.id and m.organization_id = p.organization_id
     where p.organization_id = ${orgId} and p.id = ${pipelineId}`.execute(db)
  return rows[0]
}

/**
 * Serializes the requests that carry one Idempotency-Key: the lock is held to the end of the
 * transaction, so a second request with the key while the first is uncommitted gets false
 * at once (409), and one that comes after the commit sees the stored answer. A crash
 * releases it with the transaction, which also rolls back everything the batch wrote.
 */
export async function tryLockIdempotencyKey(trx: Trx, orgId: string, pipelineId: string, key: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(hashtextextended(${`idempotency:${orgId}:${pipelineId}:${key}`}, 0)) as locked`.execute(trx)
  return rows[0]?.locked ?? false
}

export interface StoredAnswer {
  request_hash: string
  response_status: number | null
  response_body: unknown
}

export async function findIdempotencyKey(db: Db, orgId: string, pipelineId: string, key: string): Promise<StoredAnswer | undefined> {
  return db
    .selectFrom('ingest.idempotency_keys')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst()
}

export async function insertIdempotencyKey(
  db: Db,
  values: { orgId: string; pipelineId: string; key: string; requestHash: string; status: number; body: unknown },
): Promise<void> {
  await db
    .insertInto('ingest.idempotency_keys')
    .values({
      organization_id: values.orgId,
      pipeline_id: values.pipelineId,
      idempotency_key: values.key,
      request_hash: values.requestHash,
      status: 'completed',
      response_status: values.status,
      response_body: JSON.stringify(values.body),
      completed_at: sql`now()`,
    })
    .execute()
}

export async function insertIngestionJob(
  db: Db,
  values: { id: string; orgId: string; pipelineId: string; processed: number; failed: number; bytes: number; metadata: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('ingest.data_ingestion_jobs')
    .values({
      id: values.id,
      organization_id: values.orgId,
      pipeline_id: values.pipelineId,
      job_type: 'real_time',
      status: 'completed',
      records_processed: values.processed,
      records_failed: values.failed,
      bytes_processed: values.bytes,
      completed_at: sql`now()`,
      metadata: JSON.stringify(values.metadata),
    })
    .execute()
}

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
    select count(*)::int as count, coalesce(sum(size), 0)::text as bytes from inserted`.execute(db)
  return { count: rows[0]?.count ?? 0, bytes: Number(rows[0]?.bytes ?? 0) }
}

export async function addStorageUsed(db: Db, orgId: string, bytes: number): Promise<{ ok: boolean; usedGb: number; limitGb: number | null }> {
  const { rows } = await sql<{ ok: boolean; used_gb: string; limit_gb: number | null }>`
    select * from private.add_storage_used(${orgId}::uuid, ${bytes}::bigint)`.execute(db)
  const row = rows[0]
  return { ok: row?.ok ?? false, usedGb: Number(row?.used_gb ?? 0), limitGb: row?.limit_gb ?? null }
}

export interface WebhookPipelineRow {
  organization_id: string
  status: string
  webhook_secret_hash: string
  source_config_encrypted: string | null
  acting_user_id: string | null
}

/** Before any tenant context: the realtime pipeline a webhook URL names (see private.pipeline_for_webhook). */
export async function pipelineForWebhook(db: Db, pipelineId: string): Promise<WebhookPipelineRow | undefined> {
  const { rows } = await sql<WebhookPipelineRow>`select * from private.pipeline_for_webhook(${pipelineId}::uuid)`.execute(db)
  return rows[0]
}
