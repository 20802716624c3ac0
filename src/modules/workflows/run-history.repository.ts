import { sql, type InsertObject, type Selectable, type UpdateObject } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

/** What a run records as it goes: stages, fetching and processing history, fetched contents, stored rows. */

export type StageRow = Selectable<DB['ingest.execution_stages']>
export type StageUpdate = UpdateObject<DB, 'ingest.execution_stages'>
export type FetchingRow = Selectable<DB['ingest.fetching_history']>
export type ProcessingRow = Selectable<DB['ingest.processing_history']>
export type ContentRow = Selectable<DB['ingest.fetched_contents']>

export type StageStatus = 'Created' | 'InProgress' | 'Success' | 'Failed' | 'Skipped' | 'Cancelled' | 'Timeout'

export interface StageDefinition {
  name: string
  type: 'fetching' | 'processing' | 'storing' | 'sinks'
  order: number
}

/**
 * Creates the run's stages, or resets them for a new attempt (retry_count tells attempts
 * apart): the timeline shows every stage from the start, and (execution, order) stays unique.
 */
export async function resetStages(db: Db, orgId: string, executionId: string, stages: StageDefinition[], retryCount: number): Promise<void> {
  await db
    .insertInto('ingest.execution_stages')
    .values(stages.map((stage) => ({
      organization_id: orgId,
      execution_id: executionId,
      stage_name: stage.name,
      stage_type: stage.type,
      stage_order: stage.order,
      retry_count: retryCount,
    })))
    .onConflict((oc) =>
      oc.columns(['execution_id', 'stage_order']).doUpdateSet({
        status: 'Created',
        started_at: null,
        completed_at: null,
        duration_seconds: null,
        items_to_process: 0,
        items_processed: 0,
        items_successful: 0,
        items_failed: 0,
        progress_percentage: '0',
        throughput_per_second: null,
        stage_output: null,
        error_message: null,
        error_details: null,
        retry_count: retryCount,
      }),
    )
    .execute()
}

export function updateStage(db: Db, orgId: string, executionId: string, order: number, values: StageUpdate): Promise<StageRow | undefined> {
  return db
    .updateTable('ingest.execution_stages')
    .set(values)
    .where('organization_id', '=', orgId)
    .where('execution_id', '=', executionId)
    .where('stage_order', '=', order)
    .returningAll()
    .executeTakeFirst()
}

/** Ends the stages an interrupted attempt left open: the running one gets `running`, the rest Skipped. */
export async function closeOpenStages(db: Db, orgId: string, executionId: string, running: StageStatus, errorMessage: string | null): Promise<void> {
  await sql`
    update ingest.execution_stages
       set status = case when status = 'InProgress' then ${running} else 'Skipped' end,
           error_message = case when status = 'InProgress' then ${errorMessage} else error_message end,
           completed_at = now(),
           duration_seconds = case when status = 'InProgress' then extract(epoch from now() - started_at) else duration_seconds end
     where organization_id = ${orgId} and execution_id = ${executionId} and status in ('Created', 'InProgress')`.execute(db)
}

/** Ends the fetches an interrupted attempt left InProgress. */
export async function closeOpenFetches(db: Db, orgId: string, executionId: string, status: 'Failed' | 'Cancelled', errorMessage: string | null): Promise<void> {
  await db
    .updateTable('ingest.fetching_history')
    .set({ status, error_message: errorMessage, completed_at: sql`now()` })
    .where('organization_id', '=', orgId)
    .where('execution_id', '=', executionId)
    .where('status', 'in', ['Created', 'InProgress'])
    .execute()
}

export function listStages(db: Db, orgId: string, executionId: string): Promise<StageRow[]> {
  return db.selectFrom('ingest.execution_stages').selectAll().where('organization_id', '=', orgId).where('execution_id', '=', executionId).orderBy('stage_order').execute()
}

export async function insertFetching(db: Db, values: InsertObject<DB, 'ingest.fetching_history'>): Promise<string> {
  const row = await db.insertInto('ingest.fetching_history').values(values).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function updateFetching(db: Db, orgId: string, id: string, values: UpdateObject<DB, 'ingest.fetching_history'>): Promise<void> {
  await db.updateTable('ingest.fetching_history').set(values).where('organization_id', '=', orgId).where('id', '=', id).execute()
}

export async function insertContent(db: Db, values: InsertObject<DB, 'ingest.fetched_contents'>): Promise<string> {
  const row = await db.insertInto('ingest.fetched_contents').values(values).returning('id').executeTakeFirstOrThrow()
  return row.id
}

/** Marks the contents of a fetch processed (or failed) once the processing stage has run. */
export async function markContents(db: Db, orgId: string, fetchingId: string, status: 'processed' | 'failed'): Promise<void> {
  await db
    .updateTable('ingest.fetched_contents')
    .set({ status, processed_at: sql`now()` })
    .where('organization_id', '=', orgId)
    .where('fetching_id', '=', fetchingId)
    .execute()
}

export async function insertProcessing(db: Db, values: InsertObject<DB, 'ingest.processing_history'>): Promise<void> {
  await db.insertInto('ingest.processing_history').values(values).execute()
}

export function listFetching(db: Db, orgId: string, executionId: string): Promise<FetchingRow[]> {
  return db.selectFrom('ingest.fetching_history').selectAll().where('organization_id', '=', orgId).where('execution_id', '=', executionId).orderBy('timestamp').execute()
}

export function listProcessing(db: Db, orgId: string, executionId: string): Promise<ProcessingRow[]> {
  return db.selectFrom('ingest.processing_history').selectAll().where('organization_id', '=', orgId).where('execution_id', '=', executionId).orderBy('timestamp').execute()
}

/** The contents a run fetched, in order; capped, a run may page through thousands. */
export function listContents(db: Db, orgId: string, executionId: string, limit: number): Promise<ContentRow[]> {
  return db
    .selectFrom('ingest.fetched_contents')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('execution_id', '=', executionId)
    .orderBy('fetched_at')
    .orderBy('id')
    .limit(limit)
    .execute()
}

export async function insertIngestionJob(db: Db, values: InsertObject<DB, 'ingest.data_ingestion_jobs'>): Promise<string> {
  const row = await db.insertInto('ingest.data_ingestion_jobs').values(values).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function updateIngestionJob(db: Db, orgId: string, id: string, values: UpdateObject<DB, 'ingest.data_ingestion_jobs'>): Promise<void> {
  await db.updateTable('ingest.data_ingestion_jobs').set(values).where('organization_id', '=', orgId).where('id', '=', id).execute()
}

export function activeSinkCount(db: Db, orgId: string, pipelineId: string): Promise<number> {
  return db
    .selectFrom('ingest.pipeline_sinks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n))
}
