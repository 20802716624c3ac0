import { createHash } from 'node:crypto'
import type { Updateable } from 'kysely'
import type { SecretBox } from '../../platform/crypto.ts'
import type { DB, Db, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import type { SqlConfig } from '../data-sources/data-sources.config.ts'
import { loadDataSourceForRun } from '../data-sources/fetch-source.ts'
import type { SqlKind } from '../data-sources/sql-source.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { assertReadOnlyStatement, assertRunnableSource, executeOnSource, ownDatabases, type ExecutionResult } from './saved-queries.execute.ts'
import { compileQuery, validateDefinitions, type CompiledQuery } from './saved-queries.params.ts'
import {
  clearCachedResults,
  deleteQuery as deleteQueryRow,
  findCachedResult,
  findQuery,
  insertQuery,
  listQueries as listQueryRows,
  logExecution,
  recordRun,
  storeCachedResult,
  updateQuery as updateQueryRow,
  type QueryRow,
} from './saved-queries.repository.ts'
import type { CreateQueryBody, ParameterDefinition, PreviewQueryBody, QueryResponse, RunResult, RunValues, UpdateQueryBody } from './saved-queries.schema.ts'

type OwnDatabases = ReturnType<typeof ownDatabases>

/** What running a saved query needs besides the transaction: the key to the source's password, and Tessera's own databases (never queried). */
export interface SavedQueryRunContext {
  box: SecretBox
  own: OwnDatabases
}

export function savedQueryRunContext(services: Pick<Services, 'box' | 'config' | 'ownerUrl'>): SavedQueryRunContext {
  return { box: services.box, own: ownDatabases(services.config, services.ownerUrl) }
}

export function toQueryResponse(row: QueryRow): QueryResponse {
  const schema = row.result_schema as { columns?: Array<{ name: string; type: string }> }
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    dataSourceId: row.data_source_id,
    queryText: row.query_text,
    parameters: row.parameters as ParameterDefinition[],
    resultColumns: Array.isArray(schema?.columns) ? schema.columns : [],
    cacheDuration: row.cache_duration,
    rowLimit: row.row_limit,
    timeoutMs: row.timeout_ms,
    lastRunAt: row.last_run_at?.toISOString() ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

async function requireQuery(trx: Trx, actor: OrgActor, id: string): Promise<QueryRow> {
  const row = await findQuery(trx, actor.orgId, id)
  if (!row) {
    throw notFound('saved query')
  }
  return row
}

/** The source must exist in the organization, be PostgreSQL or MySQL, and not be Tessera's own database. */
async function requireSource(trx: Trx, box: SecretBox, actor: OrgActor, dataSourceId: string, own: OwnDatabases): Promise<{ kind: SqlKind; config: SqlConfig }> {
  const source = await loadDataSourceForRun(trx, actor.orgId, dataSourceId, box).catch((error: unknown) => {
    throw error instanceof AppError && error.code === 'not_found' ? new AppError('validation_failed', 400, 'The data source does not exist in this organization', { details: [{ field: 'dataSourceId', message: 'not found' }] }) : error
  })
  return assertRunnableSource(source, own)
}

export async function listQueries(trx: Trx, actor: OrgActor): Promise<QueryResponse[]> {
  return (await listQueryRows(trx, actor.orgId)).map(toQueryResponse)
}

export async function getQuery(trx: Trx, actor: OrgActor, id: string): Promise<QueryResponse> {
  return toQueryResponse(await requireQuery(trx, actor, id))
}

/** A saved query's declared parameters and last known columns, or undefined when the organization has no such query (widgets check their source with it). */
export async function queryDefinition(db: Db, orgId: string, id: string): Promise<{ parameters: ParameterDefinition[]; resultColumns: QueryResponse['resultColumns'] } | undefined> {
  const row = await findQuery(db, orgId, id)
  return row ? { parameters: row.parameters as ParameterDefinition[], resultColumns: toQueryResponse(row).resultColumns } : undefined
}

/** Saves a query after checking its source, its statement kind and its parameter definitions. */
export async function createQuery(trx: Trx, box: SecretBox, own: OwnDatabases, actor: OrgActor, input: CreateQueryBody): Promise<QueryResponse> {
  await requireSource(trx, box, actor, input.dataSourceId, own)
  assertReadOnlyStatement(input.queryText)
  const parameters = input.parameters ?? []
  validateDefinitions(input.queryText, parameters)
  const row = await insertQuery(trx, {
    orgId: actor.orgId,
    dataSourceId: input.dataSourceId,
    name: input.name.trim(),
    description: input.description ?? null,
    queryText: input.queryText,
    parameters,
    cacheDuration: input.cacheDuration ?? 300,
    rowLimit: input.rowLimit ?? 1000,
    timeoutMs: input.timeoutMs ?? 30_000,
    createdBy: actor.userId,
  })
  return toQueryResponse(row)
}

export async function updateQuery(trx: Trx, box: SecretBox, own: OwnDatabases, actor: OrgActor, id: string, input: UpdateQueryBody): Promise<QueryResponse> {
  const current = await requireQuery(trx, actor, id)
  if (input.dataSourceId !== undefined && input.dataSourceId !== current.data_source_id) {
    await requireSource(trx, box, actor, input.dataSourceId, own)
  }
  const queryText = input.queryText ?? current.query_text
  const parameters = input.parameters ?? (current.parameters as ParameterDefinition[])
  assertReadOnlyStatement(queryText)
  validateDefinitions(queryText, parameters)
  const values: Updateable<DB['app.queries']> = {}
  if (input.name !== undefined) {
    values.name = input.name.trim()
  }
  if (input.description !== undefined) {
    values.description = input.description
  }
  if (input.dataSourceId !== undefined) {
    values.data_source_id = input.dataSourceId
  }
  if (input.queryText !== undefined) {
    values.query_text = input.queryText
  }
  if (input.parameters !== undefined) {
    values.parameters = JSON.stringify(input.parameters)
  }
  if (input.cacheDuration !== undefined) {
    values.cache_duration = input.cacheDuration
  }
  if (input.rowLimit !== undefined) {
    values.row_limit = input.rowLimit
  }
  if (input.timeoutMs !== undefined) {
    values.timeout_ms = input.timeoutMs
  }
  const row = await updateQueryRow(trx, actor.orgId, id, values)
  if (!row) {
    throw notFound('saved query')
  }
  await clearCachedResults(trx, actor.orgId, id)
  return toQueryResponse(row)
}

export async function deleteQuery(trx: Trx, actor: OrgActor, id: string): Promise<void> {
  if (!(await deleteQueryRow(trx, actor.orgId, id))) {
    throw notFound('saved query')
  }
}

/** What a run needs once the tenant transaction has closed: the source query runs outside it. */
export type RunPlan =
  | { kind: 'cached'; result: RunResult }
  | { kind: 'execute'; queryId: string | null; source: { kind: SqlKind; config: SqlConfig }; compiled: CompiledQuery; rowLimit: number; timeoutMs: number; cacheKey: string | null; cacheDuration: number }

function cacheKeyOf(dataSourceId: string, compiled: CompiledQuery, rowLimit: number): string {
  return createHash('sha256').update(JSON.stringify([dataSourceId, compiled.text, compiled.values, rowLimit])).digest('hex')
}

/**
 * First half of a run, in the tenant transaction: loads the query and its source, binds the
 * parameters and answers from the cache when a fresh result exists (a cache hit is logged here).
 */
export async function planRun(trx: Trx, box: SecretBox, own: OwnDatabases, actor: OrgActor, id: string, params: RunValues): Promise<RunPlan> {
  const started = performance.now()
  const row = await requireQuery(trx, actor, id)
  const source = await requireSource(trx, box, actor, row.data_source_id, own)
  const compiled = compileQuery(row.query_text, row.parameters as ParameterDefinition[], params, source.kind)
  const cacheKey = row.cache_duration > 0 ? cacheKeyOf(row.data_source_id, compiled, row.row_limit) : null
  if (cacheKey) {
    const cached = await findCachedResult(trx, actor.orgId, row.id, cacheKey)
    if (cached) {
      const data = cached.result_data as Pick<RunResult, 'columns' | 'rows' | 'rowCount' | 'truncated'>
      const durationMs = Math.round(performance.now() - started)
      await logExecution(trx, { orgId: actor.orgId, queryId: row.id, executionTimeMs: durationMs, rowsReturned: data.rowCount, cacheHit: true, source: 'cache' })
      return { kind: 'cached', result: { ...data, durationMs, cached: true, asOf: cached.computed_at.toISOString() } }
    }
  }
  return { kind: 'execute', queryId: row.id, source, compiled, rowLimit: row.row_limit, timeoutMs: row.timeout_ms, cacheKey, cacheDuration: row.cache_duration }
}

/** The preview's plan: unsaved SQL (members and above), never cached. */
export async function planPreview(trx: Trx, box: SecretBox, own: OwnDatabases, actor: OrgActor, input: PreviewQueryBody): Promise<RunPlan & { kind: 'execute' }> {
  const source = await requireSource(trx, box, actor, input.dataSourceId, own)
  const parameters = input.parameters ?? []
  validateDefinitions(input.queryText, parameters)
  const compiled = compileQuery(input.queryText, parameters, input.params ?? {}, source.kind)
  return { kind: 'execute', queryId: null, source, compiled, rowLimit: input.rowLimit ?? 100, timeoutMs: input.timeoutMs ?? 30_000, cacheKey: null, cacheDuration: 0 }
}

/** Second half: runs on the source, outside any Tessera transaction (it may take timeoutMs). */
export function executePlan(plan: RunPlan & { kind: 'execute' }): Promise<ExecutionResult> {
  return executeOnSource(plan.source.kind, plan.source.config, plan.compiled, { rowLimit: plan.rowLimit, timeoutMs: plan.timeoutMs })
}

/** Third half: caches the answer, records the columns and logs the execution (failed runs too, without rows). */
export async function finishRun(trx: Trx, actor: OrgActor, plan: RunPlan & { kind: 'execute' }, outcome: { result?: ExecutionResult; elapsedMs: number }): Promise<RunResult | undefined> {
  const { result } = outcome
  await logExecution(trx, {
    orgId: actor.orgId,
    queryId: plan.queryId,
    executionTimeMs: result?.durationMs ?? outcome.elapsedMs,
    rowsReturned: result ? result.rowCount : null,
    cacheHit: false,
    source: plan.source.kind,
  })
  if (!result) {
    return undefined
  }
  const computedAt = new Date()
  const data = { columns: result.columns, rows: result.rows, rowCount: result.rowCount, truncated: result.truncated }
  if (plan.queryId) {
    if (plan.cacheKey) {
      await storeCachedResult(trx, actor.orgId, plan.queryId, plan.cacheKey, data, computedAt, plan.cacheDuration)
    }
    await recordRun(trx, actor.orgId, plan.queryId, result.columns)
  }
  return { ...data, durationMs: result.durationMs, cached: false, asOf: computedAt.toISOString() }
}
