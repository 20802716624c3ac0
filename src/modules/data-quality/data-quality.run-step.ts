import type { MappingResult } from '../mappings/mapping.engine.ts'
import { inTenant } from '../workflows/workflow.lifecycle.ts'
import type { RunContext } from '../workflows/workflow.stage-run.ts'
import { runBatchChecks } from './data-quality.batch.ts'

/**
 * The quality step of a pipeline run, after storing: the pipeline's batch checks over the run's
 * mapped rows, recorded against the execution. Its own transaction: the rows are already
 * committed, and a failing check pauses the pipeline (no further scheduled runs) without
 * failing this run, whose data was accepted. Runs for p2p pipelines too, which store nothing.
 * Never fails the run: an error here is logged.
 */
export async function checkRunQuality(ctx: RunContext, mapped: MappingResult): Promise<void> {
  if (mapped.rows.length === 0) {
    return
  }
  const pipeline = ctx.pipeline
  let outcomes
  try {
    outcomes = await inTenant(ctx.deps, ctx.tenant, (trx) =>
      runBatchChecks(trx, {
        orgId: ctx.tenant.orgId,
        pipelineId: pipeline.id,
        rows: mapped.rows.map((row) => row.data),
        mapping: pipeline.mapping_version === null ? null : { mappings: pipeline.mapping_mappings, transformations: pipeline.mapping_transformations },
        trigger: 'run',
        executionId: ctx.execution.id,
      }),
    )
  } catch (error) {
    // The rows are committed: failing the run now would make a retry store them twice.
    ctx.deps.logger.warn({ pipelineId: pipeline.id, err: error }, 'data quality checks of a run could not be recorded')
    return
  }
  const failed = outcomes.filter((outcome) => !outcome.passed)
  if (failed.length > 0) {
    ctx.deps.logger.info({ pipelineId: pipeline.id, failed: failed.map((outcome) => outcome.name), paused: failed.some((outcome) => outcome.onFailure === 'pause') }, 'data quality checks failed on a run')
  }
}
