import type { Db, Trx } from '../../platform/db.ts'
import { notFound, type AppError } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { mapDriverError, type ExecutionResult } from '../saved-queries/saved-queries.execute.ts'
import { paramValueErrors } from '../saved-queries/saved-queries.params.ts'
import type { RunResult, RunValues } from '../saved-queries/saved-queries.schema.ts'
import { executePlan, finishRun, planRun, queryDefinition, type RunPlan, type SavedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import type { QueryDataQuery, QueryTable } from './widget-data.schema.ts'

/**
 * A saved query as a widget's source. It runs through the saved-queries service like a run
 * from the editor: the same permission checks (every member may run), read-only connection,
 * row limit, statement timeout, result cache for the query's cache_duration and a line in
 * query_performance_logs per execution.
 *
 * View filters (dashboard filters, cross-filter clicks) reach it two ways: a filter named like
 * one of the query's parameters sets that parameter, unless the widget pins it in its params
 * (the widget's own value wins, as a metric widget's own filter does); any other filter named
 * like a result column keeps the rows whose cell reads the same as text. A filter that is
 * neither is ignored, as a metric widget ignores a dimension its points don't have.
 */

/** The first half of a widget's run, planned in the request's transaction. */
export interface PlannedQueryWidget {
  plan: RunPlan
  rowFilters: Record<string, string>
}

/** A widget's params as run values: booleans as their text (no parameter type is boolean). */
function pinnedValues(params: QueryDataQuery['params']): RunValues {
  return Object.fromEntries(Object.entries(params ?? {}).map(([name, value]) => [name, typeof value === 'boolean' ? String(value) : value]))
}

/** Field-level problems of a widget's saved-query source (POST/PATCH of a widget). */
export async function queryWidgetErrors(db: Db, orgId: string, query: QueryDataQuery): Promise<Array<{ field: string; message: string }>> {
  const definition = await queryDefinition(db, orgId, query.queryId)
  if (!definition) {
    return [{ field: 'dataQuery/queryId', message: 'is not a saved query of this organization' }]
  }
  return paramValueErrors(definition.parameters, pinnedValues(query.params)).map((error) => ({ field: `dataQuery/params/${error.field}`, message: error.message }))
}

/** Binds the parameters (pinned values, then matching view filters) and looks the result up in the cache. */
export async function planQueryWidget(trx: Trx, actor: OrgActor, context: SavedQueryRunContext, query: QueryDataQuery, filters: Record<string, string>): Promise<PlannedQueryWidget> {
  const definition = await queryDefinition(trx, actor.orgId, query.queryId)
  if (!definition) {
    throw notFound('saved query')
  }
  const names = new Set(definition.parameters.map((parameter) => parameter.name))
  const pinned = pinnedValues(query.params)
  const fromFilters: RunValues = {}
  const rowFilters: Record<string, string> = {}
  for (const [key, value] of Object.entries(filters)) {
    if (!names.has(key)) {
      rowFilters[key] = value
    } else if (!(key in pinned)) {
      fromFilters[key] = value
    }
  }
  return { plan: await planRun(trx, context.box, context.own, actor, query.queryId, { ...fromFilters, ...pinned }), rowFilters }
}

export type QueryOutcome = { result: ExecutionResult; elapsedMs: number } | { error: AppError; elapsedMs: number }

/** Runs a planned widget on its source; never throws (a failure is the widget's error state). */
export async function executeQueryWidget(planned: PlannedQueryWidget): Promise<QueryOutcome | undefined> {
  if (planned.plan.kind === 'cached') {
    return undefined
  }
  const started = performance.now()
  try {
    const result = await executePlan(planned.plan)
    return { result, elapsedMs: result.durationMs }
  } catch (error) {
    // Connection failures and driver errors alike: a widget shows them, the dashboard stays up.
    return { error: mapDriverError(error, planned.plan.timeoutMs), elapsedMs: performance.now() - started }
  }
}

/** The text a cell is compared by: what a table shows and a cross-filter click sends. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The rows whose cells equal every filter on a result column; filters on other names are ignored. */
export function filterRows(result: Pick<RunResult, 'columns' | 'rows'>, rowFilters: Record<string, string>): RunResult['rows'] {
  const columns = new Set(result.columns.map((column) => column.name))
  const applicable = Object.entries(rowFilters).filter(([key]) => columns.has(key))
  if (applicable.length === 0) {
    return result.rows
  }
  return result.rows.filter((row) => applicable.every(([key, value]) => cellText(row[key]) === value))
}

/** Caches and logs the execution (failed ones too) in the transaction, then shapes the widget's table. */
export async function finishQueryWidget(trx: Trx, actor: OrgActor, planned: PlannedQueryWidget, outcome: QueryOutcome | undefined): Promise<QueryTable> {
  let result: RunResult
  if (planned.plan.kind === 'cached') {
    result = planned.plan.result
  } else if (!outcome) {
    throw new Error('a saved-query widget that was not cached has no outcome')
  } else if ('error' in outcome) {
    await finishRun(trx, actor, planned.plan, { elapsedMs: outcome.elapsedMs })
    throw outcome.error
  } else {
    const finished = await finishRun(trx, actor, planned.plan, outcome)
    if (!finished) {
      throw new Error('finishRun returned no result for a successful run')
    }
    result = finished
  }
  const rows = filterRows(result, planned.rowFilters)
  return { columns: result.columns, rows, rowCount: rows.length, truncated: result.truncated, asOf: result.asOf, cached: result.cached }
}
