import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { fetchFromSource, loadDataSourceForRun, type DataSourceForRun, type FetchedPage } from '../data-sources/fetch-source.ts'
import { addStorageUsed, insertPipelineRows, isStorableJson } from '../ingest/pipeline-rows.ts'
import { pointsFromPipelineRows } from '../metrics/pipeline-points.ts'
import { compileMapping, type MappingResult, type MappingSpec } from '../mappings/mapping.engine.ts'
import { forwardRunRows, RUN_BATCH_RECORDS } from '../sinks/run.forward.ts'
import {
  activeSinkCount,
  insertContent,
  insertFetching,
  insertIngestionJob,
  insertProcessing,
  markContents,
  updateFetching,
  updateIngestionJob,
} from './run-history.repository.ts'
import { inTenant, RunFailure } from './workflow.lifecycle.ts'
import { rate, seconds, stage, type Pipeline, type RunContext } from './workflow.stage-run.ts'
import { updateExecution } from './workflows.repository.ts'

/** The stages of a pipeline run: fetching → processing (the mapping) → storing → sinks. */

/** Records a run stops fetching at, whatever the source's own paging says. */
const MAX_RUN_RECORDS = 1_000_000
const PREVIEW_BYTES = 2048
const MAX_FAILED_ITEMS = 100

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** Where a source reads from and its non-secret settings, for fetching_history. */
function describeSource(source: DataSourceForRun): { url: string | null; config: Record<string, unknown> } {
  const config = source.config as Record<string, unknown>
  switch (source.type) {
    case 'api':
      return { url: String(config.url ?? ''), config: { method: config.method, pagination: config.pagination, recordsPath: config.recordsPath ?? null } }
    case 'postgresql':
    case 'mysql':
      return {
        url: `${source.type}://${String(config.host)}:${String(config.port)}/${String(config.database)}`,
        config: { host: config.host, port: config.port, database: config.database, user: config.user, sslMode: config.sslMode },
      }
    case 'csv':
      return { url: source.file?.name ?? null, config: { file: source.file?.name ?? null, rowCount: source.file?.rowCount ?? null } }
    default:
      return { url: null, config: {} }
  }
}

/** The first 2 KB of a page as text, cut on a character boundary. */
export function preview(records: unknown[]): string {
  const bytes = Buffer.from(JSON.stringify(records))
  return bytes.length <= PREVIEW_BYTES ? bytes.toString('utf8') : bytes.subarray(0, PREVIEW_BYTES).toString('utf8').replace(/\uFFFD+$/, '')
}

function contentTypeParts(contentType: string): { mime: string; encoding: string | null; extension: string | null } {
  const [mime = '', ...params] = contentType.split(';').map((part) => part.trim())
  const charset = params.find((param) => param.toLowerCase().startsWith('charset='))
  const extension = /json/i.test(mime) ? 'json' : /csv/i.test(mime) ? 'csv' : /xml/i.test(mime) ? 'xml' : null
  return { mime: mime.slice(0, 100), encoding: charset ? charset.slice(8).slice(0, 50) : null, extension }
}

export interface Fetched {
  fetchingId: string
  records: unknown[]
  bytes: number
  pages: number
}

/** Fetching: the pipeline's data source, page by page; each page is a fetched_contents row. */
export async function fetchStage(ctx: RunContext): Promise<Fetched> {
  const run = stage(ctx, 'fetching')
  const { orgId } = ctx.tenant
  const pipeline = ctx.pipeline
  const settings = (pipeline.source_config ?? {}) as Record<string, unknown>
  const options = {
    signal: ctx.signal,
    maxRecords: typeof settings.maxRecords === 'number' ? Math.min(settings.maxRecords, MAX_RUN_RECORDS) : MAX_RUN_RECORDS,
    ...(typeof settings.query === 'string' ? { query: settings.query } : {}),
    ...(typeof settings.batchSize === 'number' ? { batchSize: settings.batchSize } : {}),
  }
  const stageId = await run.begin({ maxRecords: options.maxRecords, batchSize: options.batchSize ?? null, hasQuery: options.query !== undefined })
  const dataSourceId = pipeline.data_source_id
  if (!dataSourceId) {
    throw new RunFailure('no_data_source', 'The pipeline has no data source to fetch from', { retryable: false })
  }
  const source = await inTenant(ctx.deps, ctx.tenant, (trx) => loadDataSourceForRun(trx, orgId, dataSourceId, ctx.deps.services.box))
  const described = describeSource(source)
  const fetchingId = await inTenant(ctx.deps, ctx.tenant, (trx) =>
    insertFetching(trx, {
      organization_id: orgId,
      pipeline_id: pipeline.id,
      data_source_id: source.id,
      execution_id: ctx.execution.id,
      stage_id: stageId,
      status: 'InProgress',
      started_at: sql<Date>`now()`,
      data_source_url: described.url,
      data_source_type: source.type,
      data_source_config: JSON.stringify(described.config),
      fetching_config: JSON.stringify({ maxRecords: options.maxRecords, batchSize: options.batchSize ?? null, query: options.query ?? null }),
      retry_attempts: ctx.execution.retry_count,
    }),
  )
  const started = Date.now()
  const records: unknown[] = []
  const contentTypes: Record<string, number> = {}
  let bytes = 0
  let pages = 0
  let responseMs = 0
  let first: FetchedPage | undefined
  try {
    for await (const page of fetchFromSource(ctx.deps.services, source, options)) {
      ctx.signal.throwIfAborted()
      first ??= page
      pages += 1
      bytes += page.sizeBytes
      responseMs += page.responseMs
      for (const record of page.records) {
        records.push(record)
      }
      const parts = contentTypeParts(page.contentType)
      contentTypes[parts.mime] = (contentTypes[parts.mime] ?? 0) + 1
      await inTenant(ctx.deps, ctx.tenant, async (trx) => {
        await insertContent(trx, {
          organization_id: orgId,
          fetching_id: fetchingId,
          pipeline_id: pipeline.id,
          execution_id: ctx.execution.id,
          content_name: page.name.slice(0, 500),
          content_type: page.contentType.slice(0, 100),
          mime_type: parts.mime,
          encoding: parts.encoding,
          file_extension: parts.extension,
          file_size_bytes: page.sizeBytes,
          content_hash: page.sha256,
          content_preview: preview(page.records),
          record_count: page.records.length,
          source_url: page.url ?? null,
          http_status: page.status ?? null,
          response_time_ms: Math.round(page.responseMs),
        })
        await updateExecution(trx, orgId, ctx.execution.id, { bytes_processed: bytes })
      })
      await run.progress({ itemsProcessed: pages, itemsSuccessful: pages, itemsFailed: 0 })
    }
    ctx.signal.throwIfAborted()
  } catch (error) {
    await inTenant(ctx.deps, ctx.tenant, (trx) =>
      updateFetching(trx, orgId, fetchingId, {
        status: ctx.signal.aborted ? 'Cancelled' : 'Failed',
        completed_at: sql<Date>`now()`,
        fetching_time_seconds: seconds(started).toFixed(3),
        number_of_content: pages,
        total_size_bytes: bytes,
        error_message: ctx.signal.aborted ? 'The run was stopped' : (error as Error).message,
        error_count: 1,
      }),
    )
    throw error
  }
  const elapsed = seconds(started)
  await inTenant(ctx.deps, ctx.tenant, (trx) =>
    updateFetching(trx, orgId, fetchingId, {
      status: 'Success',
      completed_at: sql<Date>`now()`,
      fetching_time_seconds: elapsed.toFixed(3),
      number_of_content: pages,
      total_size_bytes: bytes,
      content_types: JSON.stringify(contentTypes),
      throughput_mbps: elapsed > 0 ? ((bytes * 8) / 1e6 / elapsed).toFixed(2) : null,
      requests_per_second: rate(pages, started),
      average_response_time_ms: pages > 0 ? Math.round(responseMs / pages) : null,
      headers_sent: first ? JSON.stringify(first.requestHeaders) : null,
      headers_received: first ? JSON.stringify(first.responseHeaders) : null,
    }),
  )
  await run.end('Success', { itemsProcessed: pages, itemsSuccessful: pages, itemsFailed: 0 }, { pages, records: records.length, bytes })
  return { fetchingId, records, bytes, pages }
}

function mappingOf(pipeline: Pipeline): MappingSpec | null {
  if (pipeline.mapping_version === null) {
    return null
  }
  return {
    sourceSchema: pipeline.mapping_source_schema ?? undefined,
    mappings: (pipeline.mapping_mappings ?? []) as MappingSpec['mappings'],
    transformations: (pipeline.mapping_transformations ?? []) as MappingSpec['transformations'],
    timestampField: pipeline.mapping_timestamp_field,
  }
}

/** Processing: the pipeline's mapping over the fetched records, with quality scores and hashes. */
export async function processStage(ctx: RunContext, fetched: Fetched): Promise<MappingResult> {
  const run = stage(ctx, 'processing')
  const { orgId } = ctx.tenant
  const spec = mappingOf(ctx.pipeline)
  const stageId = await run.begin({ mapping: spec ? `version ${ctx.pipeline.mapping_version}` : 'none (records are stored as they come)' })
  const started = Date.now()
  let result: MappingResult
  try {
    result = compileMapping(spec).apply(fetched.records)
  } catch (error) {
    throw new RunFailure('invalid_mapping', `The pipeline's mapping can't be applied: ${(error as Error).message}`, { cause: error, retryable: false })
  }
  ctx.signal.throwIfAborted()
  const total = fetched.records.length
  const successful = result.rows.length
  const failed = result.errors.length
  const byCode: Record<string, number> = {}
  for (const error of result.errors) {
    byCode[error.code] = (byCode[error.code] ?? 0) + 1
  }
  const quality = total > 0 ? successful / total : null
  const allFailed = total > 0 && successful === 0 && failed > 0
  await inTenant(ctx.deps, ctx.tenant, async (trx) => {
    await insertProcessing(trx, {
      organization_id: orgId,
      fetching_id: fetched.fetchingId,
      pipeline_id: ctx.pipeline.id,
      execution_id: ctx.execution.id,
      stage_id: stageId,
      status: allFailed ? 'Failed' : 'Success',
      started_at: new Date(started),
      completed_at: sql<Date>`now()`,
      processing_time_seconds: seconds(started).toFixed(3),
      processing_type: 'mapping',
      processing_algorithm: spec ? `tessera-mapping v${ctx.pipeline.mapping_version}` : 'passthrough',
      processing_config: JSON.stringify(spec ? { mappings: spec.mappings.length, transformations: spec.transformations.length, timestampField: spec.timestampField ?? null } : {}),
      number_of_processing_content: total,
      content_processed: total,
      content_successful: successful,
      content_failed: failed,
      items_per_second: rate(total, started),
      accuracy_score: quality === null ? null : (quality * 100).toFixed(2),
      quality_metrics: JSON.stringify({ total, successful, failed, filtered: result.filtered, qualityScore: quality, errorsByCode: byCode }),
      error_message: failed > 0 ? `${failed} of ${total} records failed the mapping` : null,
      error_details: failed > 0 ? JSON.stringify(byCode) : null,
      failed_items: failed > 0 ? JSON.stringify(result.errors.slice(0, MAX_FAILED_ITEMS)) : null,
      processing_metadata: JSON.stringify({ filtered: result.filtered }),
      input_hash: sha256(JSON.stringify(fetched.records)),
      output_hash: sha256(JSON.stringify(result.rows.map((row) => [row.data, row.recordTime]))),
    })
    await markContents(trx, orgId, fetched.fetchingId, allFailed ? 'failed' : 'processed')
    await updateExecution(trx, orgId, ctx.execution.id, { content_processed: total })
  })
  if (allFailed) {
    const firstError = result.errors[0]
    throw new RunFailure('mapping_failed', `None of the ${total} records passed the mapping; the first error: ${firstError?.message ?? 'unknown'}`)
  }
  await run.end('Success', { itemsToProcess: total, itemsProcessed: total, itemsSuccessful: successful, itemsFailed: failed }, { filtered: result.filtered, qualityScore: quality })
  return result
}

const STORE_CHUNK = 10_000

/**
 * Storing: the mapped rows into pipeline_data in one transaction with the storage
 * accounting, so a run stores all its rows or none (a retry never doubles them).
 */
export async function storeStage(ctx: RunContext, mapped: MappingResult): Promise<void> {
  const run = stage(ctx, 'storing')
  const { orgId } = ctx.tenant
  const total = mapped.rows.length
  if (!ctx.pipeline.persist_data) {
    await run.end('Skipped', { itemsToProcess: total, itemsProcessed: 0, itemsSuccessful: 0, itemsFailed: 0 }, { reason: 'The pipeline does not store data (persist_data is false)' })
    return
  }
  await run.begin()
  const documents = mapped.rows.map((row) => ({ data: row.data, json: JSON.stringify(row.data), recordTime: row.recordTime }))
  const storable = documents.filter((doc) => isStorableJson(doc.json))
  const unstorable = total - storable.length
  ctx.signal.throwIfAborted()
  const jobValues = { organization_id: orgId, pipeline_id: ctx.pipeline.id, data_source_id: ctx.pipeline.data_source_id, job_type: 'full', metadata: JSON.stringify({ executionId: ctx.execution.id, runNumber: ctx.execution.run_number }) }
  try {
    await inTenant(ctx.deps, ctx.tenant, async (trx) => {
      const jobId = await insertIngestionJob(trx, { ...jobValues, status: 'running' })
      let bytes = 0
      // Statements of at most STORE_CHUNK rows keep one parameter's size bounded on large runs.
      for (let start = 0; start < storable.length; start += STORE_CHUNK) {
        const chunk = storable.slice(start, start + STORE_CHUNK)
        const inserted = await insertPipelineRows(trx, {
          orgId,
          pipelineId: ctx.pipeline.id,
          jobId,
          documents: `[${chunk.map((doc) => doc.json).join(',')}]`,
          recordTimes: chunk.map((doc) => doc.recordTime?.toISOString() ?? null),
        })
        bytes += inserted.bytes
      }
      // Points of the pipeline's 'pipeline' metrics commit with the run's rows.
      await pointsFromPipelineRows(trx, orgId, ctx.pipeline.id, storable.map((doc) => doc.data), storable.map((doc) => doc.recordTime))
      if (!(await addStorageUsed(trx, orgId, bytes)).ok) {
        throw new RunFailure('storage_limit_exceeded', `Storing this run's ${storable.length} rows would pass the organization's storage limit; nothing was stored`)
      }
      await updateIngestionJob(trx, orgId, jobId, {
        status: 'completed',
        records_processed: storable.length,
        records_failed: mapped.errors.length + unstorable,
        bytes_processed: bytes,
        completed_at: sql<Date>`now()`,
      })
    })
  } catch (error) {
    await inTenant(ctx.deps, ctx.tenant, (trx) =>
      insertIngestionJob(trx, { ...jobValues, status: 'failed', records_failed: total, error_message: (error as Error).message.slice(0, 2000), completed_at: sql<Date>`now()` }),
    )
    throw error
  }
  const output = { stored: storable.length, ...(unstorable > 0 ? { unstorable, reason: 'rows holding \\u0000 or lone surrogates, which PostgreSQL jsonb refuses' } : {}) }
  await run.end('Success', { itemsToProcess: total, itemsProcessed: total, itemsSuccessful: storable.length, itemsFailed: unstorable }, output)
}

/**
 * Sinks: the run's rows go into the sink delivery outbox (one delivery per active sink per
 * batch of 1,000 rows; a pipeline that keeps no data, p2p, forwards them without storing) and
 * each delivery is attempted once, inline; the counts per sink are the stage's output. What
 * fails is left to the retrying sinks:deliver job, and the run still succeeds: its rows are
 * stored (or accepted) and their deliveries committed, so a receiver's outage neither fails
 * the run nor makes a retry of it store the rows twice. The run's Success is recorded after
 * that commit; a run that dies before it is retried whole (deliveries are at least once).
 */
export async function sinkStage(ctx: RunContext, mapped: MappingResult): Promise<void> {
  const run = stage(ctx, 'sinks')
  const sinks = await inTenant(ctx.deps, ctx.tenant, (trx) => activeSinkCount(trx, ctx.tenant.orgId, ctx.pipeline.id))
  const total = mapped.rows.length
  if (sinks === 0 || total === 0) {
    const reason = sinks === 0 ? 'The pipeline has no active sinks' : 'The run has no rows to forward'
    await run.end('Skipped', { itemsToProcess: total, itemsProcessed: 0, itemsSuccessful: 0, itemsFailed: 0 }, { reason, sinks })
    return
  }
  await run.begin({ sinks, batchRecords: RUN_BATCH_RECORDS })
  ctx.signal.throwIfAborted()
  // Delivery has its own backoff: the run's retry settings (deps.retryBaseMs) are not passed on.
  const forwarded = await forwardRunRows({ services: ctx.deps.services, logger: ctx.deps.logger }, ctx.tenant, {
    pipelineId: ctx.pipeline.id,
    executionId: ctx.execution.id,
    documents: mapped.rows.map((row) => JSON.stringify(row.data)),
    signal: ctx.signal,
  })
  const counts = {
    itemsToProcess: forwarded.recordDeliveries,
    itemsProcessed: forwarded.deliveredRecords + forwarded.failedRecords,
    itemsSuccessful: forwarded.deliveredRecords,
    itemsFailed: forwarded.failedRecords,
  }
  await run.end('Success', counts, { stored: ctx.pipeline.persist_data, sinks: forwarded.sinks, ...(forwarded.unstorable > 0 ? { unstorable: forwarded.unstorable } : {}) })
}
