import { randomUUID } from 'node:crypto'
import type { Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { runBatchChecks } from '../data-quality/data-quality.batch.ts'
import { pointsFromPipelineRows } from '../metrics/pipeline-points.ts'
import type { RecordError } from '../mappings/mapping.engine.ts'
import { enqueueSinkDeliveries } from '../sinks/sinks.outbox.ts'
import { compiledMappingFor } from './mapping-cache.ts'
import {
  findIdempotencyKey,
  findPipelineForIngest,
  insertIdempotencyKey,
  insertIngestionJob,
  tryLockIdempotencyKey,
  type IngestPipelineRow,
} from './ingest.repository.ts'
import type { IngestResponse, RecordErrorResponse } from './ingest.schema.ts'
import { addStorageUsed, insertPipelineRows, isStorableJson } from './pipeline-rows.ts'

export interface IngestBatch {
  pipelineId: string
  records: unknown[]
  /** The records as one JSON array text as received, when there is one (see ParsedBatch.arrayText). */
  arrayText: string | undefined
  /** SHA-256 of the (decompressed) body. */
  bodyHash: string
  idempotencyKey: string | undefined
  atomic: boolean
  /** Kept in the data_ingestion_jobs row. */
  source: { via: 'api'; keyId: string } | { via: 'webhook' } | { via: 'demo' }
}

export interface IngestResult {
  /** Only successful batches are stored under their Idempotency-Key, so a replay is a 200 too. */
  status: 200
  body: IngestResponse
  replayed: boolean
}

const GB = 1024 ** 3

function storageFull(bytes: number, usedGb: number, limitGb: number): AppError {
  const leftMb = Math.max(0, (limitGb - usedGb) * 1024)
  return new AppError(
    'storage_limit_exceeded',
    507,
    `This batch needs ${(bytes / 1024 / 1024).toFixed(2)} MB but the organization has ${leftMb.toFixed(2)} MB left of its ${limitGb} GB storage limit. ` +
      'Nothing of this batch was stored; data accepted before is kept. Delete data or ask an administrator to raise the limit.',
  )
}

function sortErrors(errors: RecordErrorResponse[]): RecordErrorResponse[] {
  return errors.sort((a, b) => a.index - b.index)
}

const isJsonObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value)
/** Bytes of the stored JSON documents of an array text: without its brackets and commas. */
const documentBytes = (arrayText: string, count: number) => (count === 0 ? 0 : Buffer.byteLength(arrayText) - 2 - (count - 1))

/**
 * Maps a batch and serializes the rows to store as ONE JSON array text for insertPipelineRows;
 * rows PostgreSQL cannot store become errors. Fast path: a pipeline without a mapping stores
 * JSON objects unchanged (the engine's identity), so when every record is an object the array
 * text as received is stored as is, without serializing 10,000 records a second time.
 */
function prepareRows(pipeline: IngestPipelineRow, batch: Pick<IngestBatch, 'records' | 'arrayText'>) {
  const { records, arrayText } = batch
  if (pipeline.mapping_version === null && arrayText !== undefined && records.every(isJsonObject) && isStorableJson(arrayText)) {
    return { errors: [], rejected: 0, filtered: 0, accepted: records.length, json: arrayText, bytes: documentBytes(arrayText, records.length), recordTimes: null, rows: records }
  }
  const result = compiledMappingFor(pipeline).apply(records)
  const errors: RecordErrorResponse[] = result.errors.map((error: RecordError) => ({
    index: error.index,
    code: error.code,
    message: error.message,
    ...(error.field !== undefined && { field: error.field }),
  }))
  // One serialization of all the rows; only when it holds an unstorable escape are the rows
  // serialized one by one to find which.
  let stored: Array<{ data: unknown; recordTime: Date | null }> = result.rows
  let json = JSON.stringify(stored.map((row) => row.data))
  if (!isStorableJson(json)) {
    stored = result.rows.filter((row) => {
      if (isStorableJson(JSON.stringify(row.data))) {
        return true
      }
      errors.push({ index: row.index, code: 'unstorable_value', message: 'The record holds \\u0000 or a lone surrogate, which PostgreSQL cannot store' })
      return false
    })
    json = JSON.stringify(stored.map((row) => row.data))
  }
  const recordTimes = stored.some((row) => row.recordTime !== null) ? stored.map((row) => row.recordTime?.toISOString() ?? null) : null
  return {
    errors: sortErrors(errors),
    rejected: new Set(errors.map((error) => error.index)).size,
    filtered: result.filtered,
    accepted: stored.length,
    json,
    // The JSON size of the rows: the job's bytes_processed, and the estimate the quota is checked with first.
    bytes: documentBytes(json, stored.length),
    recordTimes,
    // The rows as stored, for the data quality checks.
    rows: stored.map((row) => row.data),
  }
}

/**
 * Stores one pushed batch in the caller's tenant transaction (the actor may write data) and
 * returns the answer to send once it commits. Steps, in order:
 * 1. the pipeline (404 when it is not the organization's);
 * 2. the Idempotency-Key: another request holding it answers 409; a completed one replays
 *    its stored answer (same body) or answers 422 (another body);
 * 3. a paused or failed pipeline answers 409 pipeline_paused;
 * 4. the mapping; with `atomic`, any invalid record answers 422 and nothing is stored;
 * 5. the storage quota (507), the rows in one statement, the data_ingestion_jobs row, the
 *    storage increment (checked again atomically, last, to keep the organization row's lock
 *    short), the data quality checks on the stored rows (a failing 'pause' check pauses the
 *    pipeline) and the key with its answer. A p2p pipeline stores no rows but counts them.
 */
export async function ingestBatch(trx: Trx, orgId: string, batch: IngestBatch): Promise<IngestResult> {
  const pipeline = await findPipelineForIngest(trx, orgId, batch.pipelineId)
  if (!pipeline) {
    throw notFound('pipeline')
  }
  if (batch.idempotencyKey !== undefined) {
    if (!(await tryLockIdempotencyKey(trx, orgId, pipeline.id, batch.idempotencyKey))) {
      throw new AppError('idempotency_key_in_flight', 409, 'A request with this Idempotency-Key is still being processed; retry once it has finished', {
        headers: { 'retry-after': '1' },
      })
    }
    const stored = await findIdempotencyKey(trx, orgId, pipeline.id, batch.idempotencyKey)
    if (stored) {
      if (stored.request_hash !== batch.bodyHash) {
        throw new AppError('idempotency_key_reused', 422, 'This Idempotency-Key was used for a different body; use a new key for a new batch')
      }
      return { status: 200, body: stored.response_body as IngestResponse, replayed: true }
    }
  }
  if (pipeline.status !== 'active') {
    throw new AppError('pipeline_paused', 409, `The pipeline is ${pipeline.status}${pipeline.status_reason ? ` (${pipeline.status_reason})` : ''}; resume it to push data`)
  }

  const prepared = prepareRows(pipeline, batch)
  if (batch.atomic && prepared.errors.length > 0) {
    throw new AppError('validation_failed', 422, `${prepared.rejected} of ${batch.records.length} records are invalid; with atomic=true nothing was stored`, {
      details: prepared.errors,
    })
  }
  const store = pipeline.persist_data && prepared.accepted > 0
  const limitGb = pipeline.storage_limit_gb
  if (store && limitGb !== null && Number(pipeline.storage_used_gb) + prepared.bytes / GB > limitGb) {
    throw storageFull(prepared.bytes, Number(pipeline.storage_used_gb), limitGb)
  }

  const jobId = randomUUID()
  await insertIngestionJob(trx, {
    id: jobId,
    orgId,
    pipelineId: pipeline.id,
    processed: prepared.accepted,
    failed: prepared.rejected,
    bytes: prepared.bytes,
    metadata: {
      ...batch.source,
      received: batch.records.length,
      filtered: prepared.filtered,
      stored: store,
      ...(batch.idempotencyKey !== undefined && { idempotencyKey: batch.idempotencyKey }),
    },
  })
  if (store) {
    const inserted = await insertPipelineRows(trx, { orgId, pipelineId: pipeline.id, jobId, documents: prepared.json, recordTimes: prepared.recordTimes })
    if (inserted.count !== prepared.accepted) {
      throw new Error(`stored ${inserted.count} rows of ${prepared.accepted}`)
    }
    const storage = await addStorageUsed(trx, orgId, inserted.bytes)
    if (!storage.ok) {
      // The check above used the JSON size; this one the stored size, atomically with
      // concurrent batches. Over the limit: roll this batch back.
      throw storageFull(inserted.bytes, storage.usedGb, storage.limitGb ?? 0)
    }
  }
  // The batch's sink deliveries commit with it (a p2p pipeline: instead of storing it), so an
  // acknowledged batch reaches its sinks even if this process dies after answering.
  if (prepared.accepted > 0) {
    await enqueueSinkDeliveries(trx, { orgId, pipelineId: pipeline.id, batches: [prepared.json], ingestionJobId: jobId })
    // Points of the pipeline's 'pipeline' metrics commit with the batch (see metrics/pipeline-points.ts).
    await pointsFromPipelineRows(trx, orgId, pipeline.id, prepared.rows, prepared.recordTimes)
  }
  // After the storage increment: concurrent batches of the organization already queue on its
  // row there, so the check rows' locks add no new wait. A failing 'pause' check pauses the
  // pipeline in this transaction; this batch stays stored.
  const quality = await runBatchChecks(trx, {
    orgId,
    pipelineId: pipeline.id,
    rows: prepared.rows,
    mapping: pipeline.mapping_version === null ? null : { mappings: pipeline.mappings, transformations: pipeline.transformations },
    trigger: 'batch',
    ingestionJobId: jobId,
  })
  const body: IngestResponse = {
    accepted: prepared.accepted,
    rejected: prepared.rejected,
    filtered: prepared.filtered,
    errors: prepared.errors,
    ingestionJobId: jobId,
    ...(quality.length > 0 && { quality }),
  }
  if (batch.idempotencyKey !== undefined) {
    await insertIdempotencyKey(trx, { orgId, pipelineId: pipeline.id, key: batch.idempotencyKey, requestHash: batch.bodyHash, status: 200, body })
  }
  return { status: 200, body, replayed: false }
}
