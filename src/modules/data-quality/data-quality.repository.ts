import { sql, type Insertable, type Selectable, type Updateable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'
import { newestRows } from '../pipeline-data/stored-rows.ts'

export type CheckRow = Selectable<DB['ingest.data_quality_checks']>
export type ResultRow = Selectable<DB['ingest.data_quality_results']>

export async function listChecks(db: Db, orgId: string, pipelineId: string): Promise<CheckRow[]> {
  return db
    .selectFrom('ingest.data_quality_checks')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function findCheck(db: Db, orgId: string, pipelineId: string, checkId: string): Promise<CheckRow | undefined> {
  return db
    .selectFrom('ingest.data_quality_checks')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('id', '=', checkId)
    .executeTakeFirst()
}

/** The enabled checks of a pipeline that judge batches (freshness runs in the worker). */
export async function enabledBatchChecks(db: Db, orgId: string, pipelineId: string): Promise<CheckRow[]> {
  return db
    .selectFrom('ingest.data_quality_checks')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('enabled', '=', true)
    .where('check_type', '<>', 'freshness')
    .orderBy('id')
    .execute()
}

export async function checksByIds(db: Db, orgId: string, checkIds: string[]): Promise<CheckRow[]> {
  if (checkIds.length === 0) {
    return []
  }
  return db.selectFrom('ingest.data_quality_checks').selectAll().where('organization_id', '=', orgId).where('id', 'in', checkIds).orderBy('id').execute()
}

export async function insertCheck(db: Db, values: Insertable<DB['ingest.data_quality_checks']>): Promise<void> {
  await db.insertInto('ingest.data_quality_checks').values(values).execute()
}

export async function updateCheck(db: Db, orgId: string, checkId: string, values: Updateable<DB['ingest.data_quality_checks']>): Promise<boolean> {
  const result = await db.updateTable('ingest.data_quality_checks').set(values).where('organization_id', '=', orgId).where('id', '=', checkId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function deleteCheck(db: Db, orgId: string, pipelineId: string, checkId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('ingest.data_quality_checks')
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('id', '=', checkId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

export interface NewResult {
  checkId: string
  passed: boolean
  result: unknown
}

/**
 * Records evaluations: one results row each, and each check's latest result. The check rows
 * are locked in id order first, so two batches of one pipeline that update the same checks
 * queue instead of deadlocking.
 */
export async function recordResults(
  db: Db,
  context: { orgId: string; pipelineId: string; trigger: 'batch' | 'run' | 'schedule' | 'manual'; executionId?: string | null; ingestionJobId?: string | null },
  results: NewResult[],
  options: { history?: boolean } = {},
): Promise<Array<{ id: string; check_id: string; executed_at: Date }>> {
  if (results.length === 0) {
    return []
  }
  const ids = results.map((r) => r.checkId)
  const passed = results.map((r) => r.passed)
  const documents = results.map((r) => JSON.stringify(r.result))
  let recorded: Array<{ id: string; check_id: string; executed_at: Date }> = []
  if (options.history !== false) {
    const inserted = await sql<{ id: string; check_id: string; executed_at: Date }>`
      insert into ingest.data_quality_results (organization_id, check_id, pipeline_id, execution_id, ingestion_job_id, trigger, passed, result)
      select ${context.orgId}::uuid, v.id, ${context.pipelineId}::uuid, ${context.executionId ?? null}::uuid, ${context.ingestionJobId ?? null}::uuid, ${context.trigger}, v.passed, v.result
        from unnest(${ids}::uuid[], ${passed}::boolean[], ${documents}::jsonb[]) as v(id, passed, result)
      returning id, check_id, executed_at`.execute(db)
    recorded = inserted.rows
  }
  await sql`
    with locked as (
      select c.id from ingest.data_quality_checks c
       where c.organization_id = ${context.orgId} and c.id = any(${ids}::uuid[])
       order by c.id
       for no key update)
    update ingest.data_quality_checks c
       set result = v.result, passed = v.passed, executed_at = now()
      from locked, unnest(${ids}::uuid[], ${passed}::boolean[], ${documents}::jsonb[]) as v(id, passed, result)
     where c.organization_id = ${context.orgId} and c.id = locked.id and c.id = v.id`.execute(db)
  return recorded
}

export async function listResults(db: Db, orgId: string, checkId: string, limit: number): Promise<ResultRow[]> {
  return db
    .selectFrom('ingest.data_quality_results')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('check_id', '=', checkId)
    .orderBy('executed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

export interface PipelineForChecks {
  id: string
  status: string
  data_source_id: string | null
  mappings: unknown
  transformations: unknown
}

export async function findPipelineForChecks(db: Db, orgId: string, pipelineId: string): Promise<PipelineForChecks | undefined> {
  const { rows } = await sql<PipelineForChecks>`
    select p.id, p.status, p.data_source_id, m.mappings, m.transformations
      from ingest.pipelines p
      left join ingest.data_mappings m on m.pipeline_id = p.id and m.organization_id = p.organization_id
     where p.organization_id = ${orgId} and p.id = ${pipelineId}`.execute(db)
  return rows[0]
}

/**
 * Pauses an active pipeline for a failed check; pushes then answer 409 pipeline_paused and
 * the scheduler skips it until someone resumes it. False when it was not active any more.
 */
export async function pausePipeline(db: Db, orgId: string, pipelineId: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('ingest.pipelines')
    .set({ status: 'paused', status_reason: reason })
    .where('organization_id', '=', orgId)
    .where('id', '=', pipelineId)
    .where('status', '=', 'active')
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * The newest stored rows of a pipeline, raw or compressed (the index on (pipeline_id,
 * ingested_at desc) stops early in each partition; only the newest segments are decoded).
 */
export async function latestRows(db: Db, orgId: string, pipelineId: string, limit: number): Promise<unknown[]> {
  const rows = await newestRows(db, orgId, pipelineId, { limit, timeField: 'ingested_at' })
  // Oldest first, like a batch.
  return rows.map((row) => row.data).reverse()
}

/**
 * When the pipeline last received records: its newest ingestion job that processed any (a
 * pushed batch or a run, stored or forwarded), so p2p pipelines count too.
 */
export async function lastDataAt(db: Db, orgId: string, pipelineId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('ingest.data_ingestion_jobs')
    .select('started_at')
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('status', '=', 'completed')
    .where('records_processed', '>', 0)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.started_at ?? null
}

export interface FreshnessCheckDue {
  check_id: string
  pipeline_id: string
  organization_id: string
  acting_user_id: string | null
}

/** Enabled freshness checks of active pipelines across organizations (see private.freshness_checks_due). */
export async function freshnessChecksDue(db: Db): Promise<FreshnessCheckDue[]> {
  const { rows } = await sql<FreshnessCheckDue>`select * from private.freshness_checks_due()`.execute(db)
  return rows
}

/** Deletes results recorded before `before`, at most `limit` (see private.cleanup_quality_results). */
export async function cleanupResults(db: Db, before: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ deleted: number }>`select private.cleanup_quality_results(${before.toISOString()}::timestamptz, ${limit}) as deleted`.execute(db)
  return rows[0]?.deleted ?? 0
}
