import type pino from 'pino'
import { withContext, type Trx } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { evaluateFreshness, type FreshnessResult } from './data-quality.engine.ts'
import { checksByIds, findPipelineForChecks, freshnessChecksDue, lastDataAt, pausePipeline, recordResults, type CheckRow } from './data-quality.repository.ts'
import type { FreshnessConfig } from './data-quality.schema.ts'

/**
 * Freshness: "no data for N minutes". Evaluated by data-quality:freshness every minute (and
 * on demand), never on the write paths: a batch arriving is itself fresh.
 */

type Action = 'none' | 'warned' | 'paused'

/** The latest result of a freshness check, which also carries its grace period across runs. */
export interface StoredFreshness extends FreshnessResult {
  /** Age is not counted before this: the check's last change, or when a pipeline it paused was resumed. */
  graceFrom: string
  action: Action
}

/** A new result row at most this often while nothing changes; the check always keeps the latest. */
const HISTORY_EVERY_MS = 60 * 60 * 1000

const later = (a: Date, b: Date) => (a > b ? a : b)

function previousOf(check: CheckRow): Partial<StoredFreshness> {
  const result = check.result
  return result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as Partial<StoredFreshness>) : {}
}

export interface FreshnessEvaluation {
  passed: boolean
  result: StoredFreshness
  action: Action
  recorded: { id: string; executed_at: Date } | undefined
}

/**
 * Evaluates one freshness check in the caller's tenant transaction. A pipeline this check
 * paused and someone resumed gets a fresh grace period (else it would be paused again within a
 * minute of the resume). Only the schedule pauses; a manual run only reports.
 */
export async function evaluateFreshnessCheck(
  trx: Trx,
  check: CheckRow,
  pipelineStatus: string,
  options: { trigger: 'schedule' | 'manual'; now?: Date },
): Promise<FreshnessEvaluation> {
  const now = options.now ?? new Date()
  const previous = previousOf(check)
  const pausedByUs = previous.action === 'paused'
  const resumed = pausedByUs && pipelineStatus === 'active'
  let graceFrom = check.updated_at
  if (previous.graceFrom) {
    graceFrom = later(graceFrom, new Date(previous.graceFrom))
  }
  if (resumed) {
    graceFrom = later(graceFrom, now)
  }
  const lastData = await lastDataAt(trx, check.organization_id, check.pipeline_id)
  const verdict = evaluateFreshness(check.check_config as FreshnessConfig, { lastDataAt: lastData, graceFrom, now })
  let action: Action
  if (pausedByUs && pipelineStatus !== 'active') {
    action = 'paused'
  } else if (verdict.passed) {
    action = 'none'
  } else if (options.trigger === 'schedule' && check.on_failure === 'pause' && pipelineStatus === 'active') {
    const reason =
      `Data quality check "${check.name}" (freshness) failed: no records for ${Math.floor(verdict.result.ageMinutes)} minutes, ` +
      `more than its ${verdict.result.maxAgeMinutes}. Check the source, then resume the pipeline.`
    action = (await pausePipeline(trx, check.organization_id, check.pipeline_id, reason)) ? 'paused' : 'warned'
  } else {
    action = 'warned'
  }
  const result: StoredFreshness = { ...verdict.result, graceFrom: graceFrom.toISOString(), action }
  const changed = check.passed !== verdict.passed || (action === 'paused' && !pausedByUs)
  const stale = check.executed_at === null || now.getTime() - check.executed_at.getTime() >= HISTORY_EVERY_MS
  const history = options.trigger === 'manual' || changed || stale
  const [recorded] = await recordResults(
    trx,
    { orgId: check.organization_id, pipelineId: check.pipeline_id, trigger: options.trigger },
    [{ checkId: check.id, passed: verdict.passed, result }],
    { history },
  )
  return { passed: verdict.passed, result, action, recorded }
}

export interface FreshnessSummary {
  checked: number
  failed: number
  paused: number
  skipped: number
}

/**
 * data-quality:freshness (every minute). The enumeration across organizations is the one
 * cross-tenant step (private.freshness_checks_due); each organization's checks are then
 * evaluated in one tenant transaction as the user the function names, under the normal
 * policies. Safe to retry: a rerun recomputes the same verdicts.
 */
export async function runFreshnessChecks(services: Pick<Services, 'db'>, logger: pino.Logger, now = new Date()): Promise<FreshnessSummary> {
  const due = await freshnessChecksDue(services.db)
  const summary: FreshnessSummary = { checked: 0, failed: 0, paused: 0, skipped: 0 }
  const groups = new Map<string, { orgId: string; userId: string; checkIds: string[] }>()
  for (const row of due) {
    if (!row.acting_user_id) {
      // No active member can act for the organization any more.
      summary.skipped++
      continue
    }
    const key = `${row.organization_id}:${row.acting_user_id}`
    const group = groups.get(key) ?? { orgId: row.organization_id, userId: row.acting_user_id, checkIds: [] }
    group.checkIds.push(row.check_id)
    groups.set(key, group)
  }
  for (const group of groups.values()) {
    try {
      await withContext(services.db, { orgId: group.orgId, userId: group.userId, requestId: 'job:data-quality:freshness' }, async (trx) => {
        for (const check of await checksByIds(trx, group.orgId, group.checkIds)) {
          const pipeline = await findPipelineForChecks(trx, group.orgId, check.pipeline_id)
          if (!pipeline || !check.enabled || check.check_type !== 'freshness' || pipeline.status !== 'active') {
            summary.skipped++ // changed since the list was read
            continue
          }
          const evaluation = await evaluateFreshnessCheck(trx, check, pipeline.status, { trigger: 'schedule', now })
          summary.checked++
          summary.failed += evaluation.passed ? 0 : 1
          summary.paused += evaluation.action === 'paused' ? 1 : 0
        }
      })
    } catch (error) {
      logger.warn({ job: 'data-quality:freshness', orgId: group.orgId, err: error }, 'freshness checks of an organization failed')
    }
  }
  return summary
}
