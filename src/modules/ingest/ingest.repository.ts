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

export interface WebhookPipelineRow {
  organization_id: string
  type: 'polling' | 'realtime' | 'p2p'
  status: string
  webhook_secret_hash: string
  source_config_encrypted: string | null
  acting_user_id: string | null
}

/** Before any tenant context: the pipeline a webhook URL names (see private.pipeline_for_webhook). */
export async function pipelineForWebhook(db: Db, pipelineId: string): Promise<WebhookPipelineRow | undefined> {
  const { rows } = await sql<WebhookPipelineRow>`select * from private.pipeline_for_webhook(${pipelineId}::uuid)`.execute(db)
  return rows[0]
}
