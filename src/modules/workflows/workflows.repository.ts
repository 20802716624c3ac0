import { sql, type InsertObject, type Selectable, type UpdateObject } from 'kysely'
import type { DB, Db, Trx } from '../../platform/db.ts'

/** Workflows and their executions. Every query is scoped by organization (RLS is the backstop). */

export type WorkflowRow = Selectable<DB['ingest.workflows']>
export type ExecutionRow = Selectable<DB['ingest.workflow_executions']>
export type ExecutionUpdate = UpdateObject<DB, 'ingest.workflow_executions'>

export type ExecutionStatus = 'Created' | 'Queued' | 'InProgress' | 'Success' | 'Failed' | 'Cancelling' | 'Cancelled' | 'Timeout'
export const ACTIVE_STATUSES: ExecutionStatus[] = ['Created', 'Queued', 'InProgress', 'Cancelling']
export const TERMINAL_STATUSES: ExecutionStatus[] = ['Success', 'Failed', 'Cancelled', 'Timeout']

export function findWorkflowByPipeline(db: Db, orgId: string, pipelineId: string): Promise<WorkflowRow | undefined> {
  return db.selectFrom('ingest.workflows').selectAll().where('organization_id', '=', orgId).where('pipeline_id', '=', pipelineId).executeTakeFirst()
}

/** Creates the pipeline's workflow unless it exists (a concurrent creator wins quietly). */
export async function insertWorkflowIfMissing(db: Db, values: InsertObject<DB, 'ingest.workflows'>): Promise<void> {
  await db.insertInto('ingest.workflows').values(values).onConflict((oc) => oc.column('pipeline_id').doNothing()).execute()
}

/**
 * Locks the workflow row: run numbers are allocated under this lock, so concurrent triggers
 * of one pipeline get consecutive numbers and never the same one.
 */
export function lockWorkflow(trx: Trx, orgId: string, workflowId: string): Promise<WorkflowRow | undefined> {
  return trx.selectFrom('ingest.workflows').selectAll().where('organization_id', '=', orgId).where('id', '=', workflowId).forUpdate().executeTakeFirst()
}

export async function updateWorkflow(db: Db, orgId: string, workflowId: string, values: UpdateObject<DB, 'ingest.workflows'>): Promise<WorkflowRow | undefined> {
  return db.updateTable('ingest.workflows').set(values).where('organization_id', '=', orgId).where('id', '=', workflowId).returningAll().executeTakeFirst()
}

/** The next run number of a workflow; call it while holding lockWorkflow. */
export async function nextRunNumber(trx: Trx, orgId: string, workflowId: string): Promise<number> {
  const row = await trx
    .selectFrom('ingest.workflow_executions')
    .select((eb) => eb.fn.coalesce(eb.fn.max('run_number'), sql<number>`0`).as('last'))
    .where('organization_id', '=', orgId)
    .where('workflow_id', '=', workflowId)
    .executeTakeFirstOrThrow()
  return Number(row.last) + 1
}

export function insertExecution(db: Db, values: InsertObject<DB, 'ingest.workflow_executions'>): Promise<ExecutionRow> {
  return db.insertInto('ingest.workflow_executions').values(values).returningAll().executeTakeFirstOrThrow()
}

export function findExecution(db: Db, orgId: string, executionId: string): Promise<ExecutionRow | undefined> {
  return db.selectFrom('ingest.workflow_executions').selectAll().where('organization_id', '=', orgId).where('id', '=', executionId).executeTakeFirst()
}

/** The execution with its row lock: state changes (claim, cancel, finish) go through it one at a time. */
export function lockExecution(trx: Trx, orgId: string, executionId: string): Promise<ExecutionRow | undefined> {
  return trx
    .selectFrom('ingest.workflow_executions')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('id', '=', executionId)
    .forUpdate()
    .executeTakeFirst()
}

export function updateExecution(db: Db, orgId: string, executionId: string, values: ExecutionUpdate): Promise<ExecutionRow | undefined> {
  return db
    .updateTable('ingest.workflow_executions')
    .set(values)
    .where('organization_id', '=', orgId)
    .where('id', '=', executionId)
    .returningAll()
    .executeTakeFirst()
}

export interface ExecutionFilter {
  status?: ExecutionStatus | undefined
  from?: Date | undefined
  to?: Date | undefined
  limit: number
  offset: number
}

/** A pipeline's runs, newest (highest run number) first; from/to bound the creation time. */
export function listExecutions(db: Db, orgId: string, pipelineId: string, filter: ExecutionFilter): Promise<ExecutionRow[]> {
  let query = db
    .selectFrom('ingest.workflow_executions')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
  if (filter.status) {
    query = query.where('status', '=', filter.status)
  }
  if (filter.from) {
    query = query.where('created_at', '>=', filter.from)
  }
  if (filter.to) {
    query = query.where('created_at', '<', filter.to)
  }
  return query.orderBy('run_number', 'desc').limit(filter.limit).offset(filter.offset).execute()
}

/** Records on the pipeline that a run started (its last_run_at). */
export async function markPipelineRun(db: Db, orgId: string, pipelineId: string): Promise<void> {
  await db.updateTable('ingest.pipelines').set({ last_run_at: sql`now()` }).where('organization_id', '=', orgId).where('id', '=', pipelineId).execute()
}

/** The worker's heartbeat; returns what it must react to (a cancel request, the deadline). */
export async function touchHeartbeat(db: Db, orgId: string, executionId: string): Promise<Pick<ExecutionRow, 'status' | 'cancel_requested_at' | 'timeout_at'> | undefined> {
  return db
    .updateTable('ingest.workflow_executions')
    .set({ heartbeat_at: sql`now()` })
    .where('organization_id', '=', orgId)
    .where('id', '=', executionId)
    .returning(['status', 'cancel_requested_at', 'timeout_at'])
    .executeTakeFirst()
}

/** Whether an instance-wide run slot is free (max_concurrent_workflows); the lock lasts until commit. */
export async function acquireWorkflowSlot(trx: Trx): Promise<boolean> {
  const { rows } = await sql<{ free: boolean }>`select private.acquire_workflow_slot() as free`.execute(trx)
  return rows[0]?.free ?? false
}

/** The user the worker acts as for this execution (see private.workflow_run_actor). */
export async function runActor(db: Db, orgId: string, executionId: string): Promise<string | null> {
  const { rows } = await sql<{ user_id: string | null }>`select private.workflow_run_actor(${orgId}::uuid, ${executionId}::uuid) as user_id`.execute(db)
  return rows[0]?.user_id ?? null
}

/**
 * Recomputes the workflow's denormalized statistics from its executions. Recomputing (not
 * incrementing) keeps them right whoever finishes a run, however often.
 */
export async function refreshWorkflowStatistics(db: Db, orgId: string, workflowId: string): Promise<void> {
  await sql`
    update ingest.workflows w
       set total_executions = s.total, successful_executions = s.successful, failed_executions = s.failed,
           last_execution_at = s.last_started, average_duration_minutes = s.avg_duration
      from (select count(*) filter (where status in ('Success', 'Failed', 'Cancelled', 'Timeout'))::int as total,
                   count(*) filter (where status = 'Success')::int as successful,
                   count(*) filter (where status in ('Failed', 'Timeout'))::int as failed,
                   max(started_at) as last_started,
                   round(avg(duration_minutes) filter (where status in ('Success', 'Failed', 'Cancelled', 'Timeout')), 2) as avg_duration
              from ingest.workflow_executions
             where organization_id = ${orgId} and workflow_id = ${workflowId}) s
     where w.organization_id = ${orgId} and w.id = ${workflowId}`.execute(db)
}

export interface StatisticsRow {
  total_executions: number
  successful_executions: number
  failed_executions: number
  success_rate: string | null
  avg_duration_minutes: string | null
  median_duration_minutes: string | null
  total_content_processed: string
  avg_content_per_execution: string | null
  last_execution_date: Date | null
  previous_success_rate: string | null
  trend_direction: 'improving' | 'declining' | 'stable' | 'unknown'
  period_start: Date
  period_end: Date
}

export async function workflowStatistics(db: Db, workflowId: string, from: Date | undefined, to: Date | undefined): Promise<StatisticsRow> {
  const { rows } = await sql<StatisticsRow>`
    select * from ingest.get_workflow_statistics(${workflowId}::uuid, ${from?.toISOString() ?? null}::timestamptz, ${to?.toISOString() ?? null}::timestamptz)`.execute(db)
  const row = rows[0]
  if (!row) {
    throw new Error('get_workflow_statistics returned no row')
  }
  return row
}

export interface DuePipeline {
  id: string
  organization_id: string
  created_by: string | null
  acting_user_id: string | null
}

/** Due polling pipelines of every organization: the scheduler's one cross-tenant read. */
export async function duePipelines(db: Db): Promise<DuePipeline[]> {
  const { rows } = await sql<DuePipeline>`select * from private.due_pipelines()`.execute(db)
  return rows
}

export interface StaleExecution {
  id: string
  organization_id: string
  status: ExecutionStatus
  acting_user_id: string | null
}

/** Runs whose worker went silent or that never started (see private.stale_workflow_executions). */
export async function staleExecutions(db: Db, graceSeconds: number): Promise<StaleExecution[]> {
  const { rows } = await sql<StaleExecution>`select * from private.stale_workflow_executions(${graceSeconds}::integer)`.execute(db)
  return rows
}

/** private.stale_workflow_executions' test for running runs, on one row the caller has locked. */
export async function isStillStale(trx: Trx, orgId: string, executionId: string, graceSeconds: number): Promise<boolean> {
  const { rows } = await sql<{ stale: boolean }>`
    select (e.status in ('InProgress', 'Cancelling')
            and (coalesce(e.heartbeat_at, e.started_at, e.updated_at) < now() - make_interval(secs => least(w.timeout_minutes * 60, ${graceSeconds}::integer))
                 or e.timeout_at < now() - make_interval(secs => ${graceSeconds}::integer))) as stale
      from ingest.workflow_executions e
      join ingest.workflows w on w.id = e.workflow_id and w.organization_id = e.organization_id
     where e.organization_id = ${orgId} and e.id = ${executionId}`.execute(trx)
  return rows[0]?.stale ?? false
}

export type DuePipelineRow = Pick<
  Selectable<DB['ingest.pipelines']>,
  'id' | 'name' | 'type' | 'status' | 'interval_seconds' | 'cron_schedule' | 'next_run_at' | 'data_source_id' | 'created_by'
>

/** A due polling pipeline, locked; undefined when another scheduler holds it or it is no longer due. */
export function lockDuePipeline(trx: Trx, orgId: string, pipelineId: string): Promise<DuePipelineRow | undefined> {
  return trx
    .selectFrom('ingest.pipelines')
    .select(['id', 'name', 'type', 'status', 'interval_seconds', 'cron_schedule', 'next_run_at', 'data_source_id', 'created_by'])
    .where('organization_id', '=', orgId)
    .where('id', '=', pipelineId)
    .where('status', '=', 'active')
    .where('type', '=', 'polling')
    .where((eb) => eb.or([eb('next_run_at', 'is', null), eb('next_run_at', '<=', sql<Date>`now()`)]))
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
}

export async function setPipelineSchedule(db: Db, orgId: string, pipelineId: string, values: { next_run_at?: Date; status?: 'error'; status_reason?: string }): Promise<void> {
  await db.updateTable('ingest.pipelines').set(values).where('organization_id', '=', orgId).where('id', '=', pipelineId).execute()
}

export async function hasActiveExecution(db: Db, orgId: string, pipelineId: string): Promise<boolean> {
  const row = await db
    .selectFrom('ingest.workflow_executions')
    .select('id')
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('status', 'in', ACTIVE_STATUSES)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export function listTemplates(db: Db): Promise<Array<Selectable<DB['ingest.workflow_templates']>>> {
  return db.selectFrom('ingest.workflow_templates').selectAll().where('status', '=', 'active').orderBy('name').execute()
}
