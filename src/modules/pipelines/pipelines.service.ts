import { randomUUID } from 'node:crypto'
import type { Updateable } from 'kysely'
import { randomToken, sha256, type SecretBox } from '../../platform/crypto.ts'
import type { DB, Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { toMappingResponse, validatePipelineMapping } from './mapping.service.ts'
import { addStorageUsed } from '../ingest/pipeline-rows.ts'
import {
  dataSourceExists,
  deletePipeline as deletePipelineRow,
  deletePipelineData,
  findPipeline,
  insertPipeline,
  listPipelines as listPipelineRows,
  teamExists,
  updatePipeline as updatePipelineRow,
  upsertMapping,
  type PipelineRow,
} from './pipelines.repository.ts'
import type { CreatePipelineBody, CreatedPipelineResponse, PipelineResponse, UpdatePipelineBody } from './pipelines.schema.ts'
import { createSink } from './sinks.service.ts'
import { nextPipelineRun } from '../workflows/workflow.schedule.ts'

/** What the pipeline services need besides the transaction. */
export interface PipelineDeps {
  box: SecretBox
  publicUrl: string
}

/**
 * Settings of sourceConfig whose name says they are secret. They go to
 * source_config_encrypted (with a realtime pipeline's webhook secret, which the HMAC check
 * needs in clear) and are never returned.
 */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key/i

interface SealedSource {
  source: Record<string, unknown>
  webhookSecret?: string
}

export const sourceAad = (pipelineId: string) => `ingest.pipelines:${pipelineId}`

export function openSealedSource(box: SecretBox, pipelineId: string, sealed: string | null): SealedSource {
  return sealed ? (JSON.parse(box.decrypt(sealed, sourceAad(pipelineId))) as SealedSource) : { source: {} }
}

function seal(box: SecretBox, pipelineId: string, value: SealedSource): string | null {
  return Object.keys(value.source).length === 0 && value.webhookSecret === undefined ? null : box.encrypt(JSON.stringify(value), sourceAad(pipelineId))
}

function splitSourceConfig(config: Record<string, unknown>): { plain: Record<string, unknown>; secrets: Record<string, unknown> } {
  const plain: Record<string, unknown> = {}
  const secrets: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_KEY.test(key)) {
      secrets[key] = value
    } else {
      plain[key] = value
    }
  }
  return { plain, secrets }
}

const webhookUrl = (deps: PipelineDeps, pipelineId: string, secret: string) => `${deps.publicUrl}/api/v1/hooks/${pipelineId}/${secret}`

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', 400, `${field} ${message}`, { details: [{ field, message }] })
}

const CRON_FIELD = /^[0-9A-Za-z*/,?#LW-]+$/
function checkCron(value: string | null | undefined): void {
  if (value == null) {
    return
  }
  const fields = value.trim().split(/\s+/)
  if ((fields.length !== 5 && fields.length !== 6) || !fields.every((field) => CRON_FIELD.test(field))) {
    throw invalid('body.cronSchedule', 'must be a cron expression of five fields (minute hour day-of-month month day-of-week)')
  }
}

export function toPipelineResponse(row: PipelineRow, deps: PipelineDeps): PipelineResponse {
  const sealed = openSealedSource(deps.box, row.id, row.source_config_encrypted)
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.type === 'realtime' || row.type === 'p2p' ? row.type : 'polling',
    status: row.status === 'paused' || row.status === 'error' ? row.status : 'active',
    statusReason: row.status_reason,
    intervalSeconds: row.interval_seconds,
    cronSchedule: row.cron_schedule,
    dataSourceId: row.data_source_id,
    sourceType: row.source_type,
    sourceConfig: row.source_config !== null && typeof row.source_config === 'object' && !Array.isArray(row.source_config) ? (row.source_config as Record<string, unknown>) : {},
    sourceConfigSecrets: Object.keys(sealed.source).sort(),
    retentionDays: row.retention_days,
    compressAfterDays: row.compress_after_days,
    persistData: row.persist_data,
    teamId: row.team_id,
    hasWebhook: row.webhook_secret_hash !== null,
    ingestUrl: `${deps.publicUrl}/api/v1/ingest/${row.id}`,
    mapping: toMappingResponse(row),
    sinkCount: Number(row.sink_count),
    lastRunAt: row.last_run_at?.toISOString() ?? null,
    nextRunAt: row.next_run_at?.toISOString() ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

const nameTaken = (cause: unknown) =>
  new AppError('conflict', 409, 'A pipeline with this name already exists in the organization', { cause, details: [{ field: 'body.name', message: 'is already taken' }] })

async function withUniqueName<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw (error as { code?: string }).code === '23505' ? nameTaken(error) : error
  }
}

export async function requirePipeline(db: Db, actor: OrgActor, pipelineId: string): Promise<PipelineRow> {
  const row = await findPipeline(db, actor.orgId, pipelineId)
  if (!row) {
    throw notFound('pipeline')
  }
  return row
}

async function checkReferences(db: Db, actor: OrgActor, input: { dataSourceId?: string | null; teamId?: string | null }): Promise<string | undefined> {
  let sourceType: string | undefined
  if (input.dataSourceId) {
    sourceType = await dataSourceExists(db, actor.orgId, input.dataSourceId)
    if (!sourceType) {
      throw invalid('body.dataSourceId', 'is not a data source of this organization')
    }
  }
  if (input.teamId && !(await teamExists(db, actor.orgId, input.teamId))) {
    throw invalid('body.teamId', 'is not a team of this organization')
  }
  return sourceType
}

export async function listPipelines(db: Db, deps: PipelineDeps, actor: OrgActor): Promise<PipelineResponse[]> {
  return (await listPipelineRows(db, actor.orgId)).map((row) => toPipelineResponse(row, deps))
}

export async function getPipeline(db: Db, deps: PipelineDeps, actor: OrgActor, pipelineId: string): Promise<PipelineResponse> {
  return toPipelineResponse(await requirePipeline(db, actor, pipelineId), deps)
}

/**
 * Creates a pipeline with its optional mapping and sinks (owners, admins, members; the route
 * checks). p2p pipelines never store data; polling ones need an interval or a cron schedule;
 * realtime and p2p ones get a webhook URL whose secret is returned here once (only its SHA-256
 * and an encrypted copy for HMAC checks are kept); a polling one gets a URL that starts runs
 * once someone asks for it (rotateWebhookSecret).
 */
export async function createPipeline(db: Db, deps: PipelineDeps, actor: OrgActor, input: CreatePipelineBody): Promise<CreatedPipelineResponse> {
  if (input.type === 'polling' && input.intervalSeconds == null && input.cronSchedule == null) {
    throw invalid('body.intervalSeconds', 'or body.cronSchedule is required for a polling pipeline')
  }
  checkCron(input.cronSchedule)
  const mapping = input.mapping ? validatePipelineMapping(input.mapping) : null
  const dataSourceType = await checkReferences(db, actor, input)
  const id = randomUUID()
  const secret = input.type === 'polling' ? undefined : randomToken(32)
  const { plain, secrets } = splitSourceConfig(input.sourceConfig ?? {})
  await withUniqueName(() =>
    insertPipeline(db, {
      id,
      organization_id: actor.orgId,
      team_id: input.teamId ?? null,
      name: input.name.trim(),
      description: input.description ?? null,
      type: input.type,
      interval_seconds: input.intervalSeconds ?? null,
      cron_schedule: input.cronSchedule?.trim() ?? null,
      data_source_id: input.dataSourceId ?? null,
      source_type: input.sourceType ?? dataSourceType ?? (input.type === 'realtime' ? 'push' : null),
      source_config: JSON.stringify(plain),
      source_config_encrypted: seal(deps.box, id, { source: secrets, ...(secret !== undefined && { webhookSecret: secret }) }),
      retention_days: input.retentionDays ?? null,
      compress_after_days: (input.compressAfterDays as number | null | undefined) ?? null,
      persist_data: input.type === 'p2p' ? false : (input.persistData ?? true),
      webhook_secret_hash: secret === undefined ? null : sha256(secret),
      // The first scheduled run comes one interval (or cron slot) from now, not at once: a new
      // pipeline usually gets its mapping next, and "Run now" is there for an immediate run.
      next_run_at: input.type === 'polling' ? nextPipelineRun({ interval_seconds: input.intervalSeconds ?? null, cron_schedule: input.cronSchedule?.trim() ?? null }, new Date()) : null,
      created_by: actor.userId,
    }),
  )
  if (mapping) {
    await upsertMapping(db, { orgId: actor.orgId, pipelineId: id, ...mapping })
  }
  const sinks = []
  for (const sink of input.sinks ?? []) {
    sinks.push(await createSink(db, deps.box, actor, id, sink))
  }
  const row = await requirePipeline(db, actor, id)
  return { ...toPipelineResponse(row, deps), ...(secret !== undefined && { webhookUrl: webhookUrl(deps, id, secret) }), sinks }
}

/** Changes a pipeline's settings; its type is fixed, and a p2p pipeline never stores data. */
export async function updatePipeline(db: Db, deps: PipelineDeps, actor: OrgActor, pipelineId: string, input: UpdatePipelineBody): Promise<PipelineResponse> {
  const current = await requirePipeline(db, actor, pipelineId)
  checkCron(input.cronSchedule)
  if (current.type === 'p2p' && input.persistData === true) {
    throw invalid('body.persistData', 'must be false for a p2p pipeline (it forwards records without storing them)')
  }
  const interval = input.intervalSeconds !== undefined ? input.intervalSeconds : current.interval_seconds
  const cron = input.cronSchedule !== undefined ? input.cronSchedule : current.cron_schedule
  if (current.type === 'polling' && interval == null && cron == null) {
    throw invalid('body.intervalSeconds', 'or body.cronSchedule is required for a polling pipeline')
  }
  const dataSourceType = await checkReferences(db, actor, input)
  const values: Updateable<DB['ingest.pipelines']> = {
    ...(input.name !== undefined && { name: input.name.trim() }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.intervalSeconds !== undefined && { interval_seconds: input.intervalSeconds }),
    ...(input.cronSchedule !== undefined && { cron_schedule: input.cronSchedule?.trim() ?? null }),
    ...(input.dataSourceId !== undefined && { data_source_id: input.dataSourceId }),
    ...((input.sourceType !== undefined || dataSourceType !== undefined) && { source_type: input.sourceType ?? dataSourceType ?? null }),
    ...(input.retentionDays !== undefined && { retention_days: input.retentionDays }),
    ...(input.compressAfterDays !== undefined && { compress_after_days: input.compressAfterDays as number | null }),
    ...(input.persistData !== undefined && { persist_data: input.persistData }),
    ...(input.teamId !== undefined && { team_id: input.teamId }),
  }
  if (current.type === 'polling' && (interval !== current.interval_seconds || cron !== current.cron_schedule)) {
    // A new schedule counts from now; the old next run (a day away, say) no longer applies.
    values.next_run_at = nextPipelineRun({ interval_seconds: interval, cron_schedule: cron?.trim() ?? null }, new Date())
  }
  if (input.sourceConfig !== undefined) {
    // The new sourceConfig replaces the old one, secrets included; the webhook secret stays.
    const { plain, secrets } = splitSourceConfig(input.sourceConfig)
    const sealed = openSealedSource(deps.box, pipelineId, current.source_config_encrypted)
    values.source_config = JSON.stringify(plain)
    values.source_config_encrypted = seal(deps.box, pipelineId, { source: secrets, ...(sealed.webhookSecret !== undefined && { webhookSecret: sealed.webhookSecret }) })
  }
  await withUniqueName(() => updatePipelineRow(db, actor.orgId, pipelineId, values))
  return toPipelineResponse(await requirePipeline(db, actor, pipelineId), deps)
}

/**
 * Deletes a pipeline, its sinks, mapping, ingestion jobs and idempotency keys (foreign keys
 * cascade) and its stored rows, whose bytes leave the organization's storage use.
 */
export async function deletePipeline(db: Db, actor: OrgActor, pipelineId: string): Promise<void> {
  await requirePipeline(db, actor, pipelineId)
  const bytes = await deletePipelineData(db, actor.orgId, pipelineId)
  if (!(await deletePipelineRow(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  if (bytes > 0) {
    await addStorageUsed(db, actor.orgId, -bytes)
  }
}

/** Pauses (ingest answers 409 pipeline_paused, runs stop being scheduled) or resumes a pipeline. */
export async function setPipelineStatus(
  db: Db,
  deps: PipelineDeps,
  actor: OrgActor,
  pipelineId: string,
  change: { status: 'active' } | { status: 'paused'; reason?: string | undefined },
): Promise<PipelineResponse> {
  const current = await requirePipeline(db, actor, pipelineId)
  const values: Updateable<DB['ingest.pipelines']> =
    change.status === 'paused'
      ? { status: 'paused', status_reason: change.reason?.trim() || 'Paused by a user' }
      : { status: 'active', status_reason: null, ...(current.type === 'polling' && current.status !== 'active' && { next_run_at: new Date() }) }
  await updatePipelineRow(db, actor.orgId, pipelineId, values)
  return toPipelineResponse(await requirePipeline(db, actor, pipelineId), deps)
}

/**
 * Issues a new webhook secret; the old URL stops working at once. A realtime or p2p pipeline's
 * webhook receives records, a polling pipeline's starts a run.
 */
export async function rotateWebhookSecret(db: Db, deps: PipelineDeps, actor: OrgActor, pipelineId: string): Promise<{ webhookUrl: string }> {
  const current = await requirePipeline(db, actor, pipelineId)
  const secret = randomToken(32)
  const sealed = openSealedSource(deps.box, pipelineId, current.source_config_encrypted)
  await updatePipelineRow(db, actor.orgId, pipelineId, {
    webhook_secret_hash: sha256(secret),
    source_config_encrypted: seal(deps.box, pipelineId, { source: sealed.source, webhookSecret: secret }),
  })
  return { webhookUrl: webhookUrl(deps, pipelineId, secret) }
}
