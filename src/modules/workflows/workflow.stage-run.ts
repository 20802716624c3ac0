import { sql } from 'kysely'
import type { requirePipeline } from '../pipelines/pipelines.service.ts'
import { updateStage, type StageDefinition } from './run-history.repository.ts'
import { inTenant, STAGES, type Tenant, type WorkflowDeps } from './workflow.lifecycle.ts'
import { updateExecution, type ExecutionRow } from './workflows.repository.ts'

/** What every stage of a run shares: its context, and the bookkeeping of its stage row. */

export type Pipeline = Awaited<ReturnType<typeof requirePipeline>>

export interface RunContext {
  deps: WorkflowDeps
  tenant: Tenant
  execution: ExecutionRow
  pipeline: Pipeline
  signal: AbortSignal
}

export interface Counts {
  itemsToProcess?: number
  itemsProcessed: number
  itemsSuccessful: number
  itemsFailed: number
}

export const seconds = (since: number) => (Date.now() - since) / 1000
export const rate = (items: number, since: number) => {
  const s = seconds(since)
  return s > 0 ? (items / s).toFixed(2) : null
}

/** One stage's row: InProgress when it begins, its counts as it goes, its ending. */
export class StageRun {
  private startedAt = Date.now()

  constructor(
    private readonly ctx: RunContext,
    readonly def: StageDefinition,
  ) {}

  async begin(configuration?: Record<string, unknown>): Promise<string> {
    this.startedAt = Date.now()
    const { orgId } = this.ctx.tenant
    return inTenant(this.ctx.deps, this.ctx.tenant, async (trx) => {
      const row = await updateStage(trx, orgId, this.ctx.execution.id, this.def.order, {
        status: 'InProgress',
        started_at: sql<Date>`now()`,
        ...(configuration ? { stage_configuration: JSON.stringify(configuration) } : {}),
      })
      await updateExecution(trx, orgId, this.ctx.execution.id, { current_stage: this.def.name, current_stage_order: this.def.order })
      if (!row) {
        throw new Error(`stage ${this.def.order} of execution ${this.ctx.execution.id} is missing`)
      }
      return row.id
    })
  }

  async progress(counts: Counts): Promise<void> {
    await inTenant(this.ctx.deps, this.ctx.tenant, (trx) => updateStage(trx, this.ctx.tenant.orgId, this.ctx.execution.id, this.def.order, this.countColumns(counts)))
  }

  /** Ends the stage and moves the execution's progress on by one stage. */
  async end(status: 'Success' | 'Skipped', counts: Counts, output: Record<string, unknown>): Promise<void> {
    const { orgId } = this.ctx.tenant
    const completed = this.def.order
    await inTenant(this.ctx.deps, this.ctx.tenant, async (trx) => {
      await updateStage(trx, orgId, this.ctx.execution.id, this.def.order, {
        ...this.countColumns(counts),
        status,
        completed_at: sql<Date>`now()`,
        ...(status === 'Skipped'
          ? {}
          : {
              progress_percentage: '100',
              duration_seconds: sql<string>`round(extract(epoch from now() - coalesce(started_at, now()))::numeric, 3)`,
              throughput_per_second: rate(counts.itemsProcessed, this.startedAt),
            }),
        stage_output: JSON.stringify(output),
      })
      const next = STAGES.find((stage) => stage.order === completed + 1)
      await updateExecution(trx, orgId, this.ctx.execution.id, {
        stages_completed: completed,
        progress_percentage: ((completed / STAGES.length) * 100).toFixed(2),
        ...(next ? { current_stage: next.name, current_stage_order: next.order } : {}),
      })
    })
  }

  private countColumns(counts: Counts) {
    return {
      ...(counts.itemsToProcess === undefined ? {} : { items_to_process: counts.itemsToProcess }),
      items_processed: counts.itemsProcessed,
      items_successful: counts.itemsSuccessful,
      items_failed: counts.itemsFailed,
      ...(counts.itemsToProcess ? { progress_percentage: Math.min(100, (counts.itemsProcessed / counts.itemsToProcess) * 100).toFixed(2) } : {}),
    }
  }
}

export const stage = (ctx: RunContext, type: StageDefinition['type']) => {
  const def = STAGES.find((s) => s.type === type)
  if (!def) {
    throw new Error(`no ${type} stage`)
  }
  return new StageRun(ctx, def)
}
