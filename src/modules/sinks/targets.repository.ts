import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/** The target pipeline of a pipeline sink, and the ingestion job of what it receives. */

export interface TargetPipeline {
  id: string
  status: string
  persist_data: boolean
}

export function findTargetPipeline(db: Db, orgId: string, pipelineId: string): Promise<TargetPipeline | undefined> {
  return db
    .selectFrom('ingest.pipelines')
    .select(['id', 'status', 'persist_data'])
    .where('organization_id', '=', orgId)
    .where('id', '=', pipelineId)
    .executeTakeFirst()
}

export async function insertForwardedJob(
  db: Db,
  values: { orgId: string; pipelineId: string; records: number; bytes: number; metadata: Record<string, unknown> },
): Promise<string> {
  const row = await db
    .insertInto('ingest.data_ingestion_jobs')
    .values({
      organization_id: values.orgId,
      pipeline_id: values.pipelineId,
      job_type: 'real_time',
      status: 'completed',
      records_processed: values.records,
      bytes_processed: values.bytes,
      completed_at: sql<Date>`now()`,
      metadata: JSON.stringify(values.metadata),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
