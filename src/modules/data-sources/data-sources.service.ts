import { randomUUID } from 'node:crypto'
import type { Updateable } from 'kysely'
import type { SecretBox } from '../../platform/crypto.ts'
import type { DB, Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import type { CheckResult } from './data-sources.checks.ts'
import { joinSecrets, maskConfig, parseSourceConfig, splitSecrets, type DataSourceType } from './data-sources.config.ts'
import {
  deleteDataSource as deleteDataSourceRow,
  findDataSource,
  findDataSourceForUpdate,
  insertDataSource,
  insertDataSourceFile,
  latestFiles,
  listDataSources as listDataSourceRows,
  recordHealth,
  recordSchemaMetadata,
  updateDataSource as updateDataSourceRow,
  type DataSourceFileInfo,
  type DataSourceRow,
} from './data-sources.repository.ts'
import type { CreateDataSourceBody, DataSourceResponse, UpdateDataSourceBody } from './data-sources.schema.ts'
import { decryptSecrets, encryptSecrets } from './data-sources.secrets.ts'
import type { ParsedCsvUpload } from './csv-source.ts'

const HEALTH = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const

function toFileResponse(file: DataSourceFileInfo): NonNullable<DataSourceResponse['file']> {
  return {
    id: file.id,
    name: file.name,
    sizeBytes: Number(file.size_bytes),
    sha256: file.sha256,
    rowCount: file.row_count,
    delimiter: file.delimiter,
    columns: file.columns as Array<{ name: string; type: string }>,
    createdAt: file.created_at.toISOString(),
  }
}

/** The API shape: secrets masked, never decrypted values. */
export function toDataSourceResponse(box: SecretBox, row: DataSourceRow, file?: DataSourceFileInfo): DataSourceResponse {
  const type = row.type as DataSourceType
  const secrets = decryptSecrets(box, row.organization_id, row.id, row.credentials_encrypted)
  const health = HEALTH.find((status) => status === row.health_status) ?? 'unknown'
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type,
    config: maskConfig(type, row.connection_config as Record<string, unknown>, secrets),
    hasCredentials: row.credentials_encrypted !== null,
    healthStatus: health,
    lastHealthCheck: row.last_health_check?.toISOString() ?? null,
    lastHealthError: row.last_health_error,
    schemaMetadata: row.schema_metadata,
    file: file ? toFileResponse(file) : null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

const nameTaken = (cause: unknown) =>
  new AppError('conflict', 409, 'A data source with this name already exists in the organization', { cause, details: [{ field: 'name', message: 'is already taken' }] })

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505'

async function requireDataSource(db: Db, actor: OrgActor, id: string): Promise<DataSourceRow> {
  const row = await findDataSource(db, actor.orgId, id)
  if (!row) {
    throw notFound('data source')
  }
  return row
}

export async function listDataSources(db: Db, box: SecretBox, actor: OrgActor): Promise<DataSourceResponse[]> {
  const rows = await listDataSourceRows(db, actor.orgId)
  const files = await latestFiles(db, actor.orgId, rows.filter((row) => row.type === 'csv').map((row) => row.id))
  return rows.map((row) => toDataSourceResponse(box, row, files.get(row.id)))
}

export async function getDataSource(db: Db, box: SecretBox, actor: OrgActor, id: string): Promise<DataSourceResponse> {
  const row = await requireDataSource(db, actor, id)
  const files = row.type === 'csv' ? await latestFiles(db, actor.orgId, [row.id]) : new Map<string, DataSourceFileInfo>()
  return toDataSourceResponse(box, row, files.get(row.id))
}

/** Creates a source; its config is validated against the type's allowlist and its secrets sealed. */
export async function createDataSource(db: Db, box: SecretBox, actor: OrgActor, input: CreateDataSourceBody): Promise<DataSourceResponse> {
  const config = parseSourceConfig(input.type, input.config ?? {})
  const { stored, secrets } = splitSecrets(input.type, config)
  const id = randomUUID()
  try {
    const row = await insertDataSource(db, {
      id,
      orgId: actor.orgId,
      name: input.name.trim(),
      description: input.description ?? null,
      type: input.type,
      config: stored,
      credentials: encryptSecrets(box, actor.orgId, id, secrets),
      createdBy: actor.userId,
    })
    return toDataSourceResponse(box, row)
  } catch (error) {
    throw isUniqueViolation(error) ? nameTaken(error) : error
  }
}

/**
 * Renames, describes or reconfigures a source. A new config replaces the old one whole,
 * except secrets: omitted or "********" keeps the stored value.
 */
export async function updateDataSource(db: Db, box: SecretBox, actor: OrgActor, id: string, input: UpdateDataSourceBody): Promise<DataSourceResponse> {
  const row = await findDataSourceForUpdate(db, actor.orgId, id)
  if (!row) {
    throw notFound('data source')
  }
  const type = row.type as DataSourceType
  const values: Updateable<DB['app.data_sources']> = {}
  if (input.name !== undefined) {
    values.name = input.name.trim()
  }
  if (input.description !== undefined) {
    values.description = input.description
  }
  if (input.config !== undefined) {
    if (type === 'csv') {
      throw new AppError('validation_failed', 400, 'A CSV source has no connection settings; upload a new file instead')
    }
    const previous = joinSecrets(type, row.connection_config as Record<string, unknown>, decryptSecrets(box, row.organization_id, row.id, row.credentials_encrypted))
    const { stored, secrets } = splitSecrets(type, parseSourceConfig(type, input.config, previous))
    values.connection_config = JSON.stringify(stored)
    values.credentials_encrypted = encryptSecrets(box, row.organization_id, row.id, secrets)
  }
  if (Object.keys(values).length === 0) {
    return getDataSource(db, box, actor, id)
  }
  let updated: DataSourceRow | undefined
  try {
    updated = await updateDataSourceRow(db, actor.orgId, id, values)
  } catch (error) {
    throw isUniqueViolation(error) ? nameTaken(error) : error
  }
  if (!updated) {
    throw notFound('data source')
  }
  const files = type === 'csv' ? await latestFiles(db, actor.orgId, [id]) : new Map<string, DataSourceFileInfo>()
  return toDataSourceResponse(box, updated, files.get(id))
}

export async function deleteDataSource(db: Db, actor: OrgActor, id: string): Promise<void> {
  if (!(await deleteDataSourceRow(db, actor.orgId, id))) {
    throw notFound('data source')
  }
}

/** Creates a csv source from a parsed upload and stores the file. */
export async function createCsvDataSource(
  db: Db,
  box: SecretBox,
  actor: OrgActor,
  input: { name: string; description: string | null; fileName: string; upload: ParsedCsvUpload },
): Promise<DataSourceResponse> {
  const id = randomUUID()
  let row: DataSourceRow
  try {
    row = await insertDataSource(db, { id, orgId: actor.orgId, name: input.name.trim(), description: input.description, type: 'csv', config: {}, credentials: null, createdBy: actor.userId })
  } catch (error) {
    throw isUniqueViolation(error) ? nameTaken(error) : error
  }
  const { upload } = input
  await insertDataSourceFile(db, {
    orgId: actor.orgId,
    dataSourceId: id,
    name: input.fileName.slice(0, 255) || 'upload.csv',
    sizeBytes: upload.sizeBytes,
    sha256: upload.sha256,
    rowCount: upload.rowCount,
    columns: upload.columns,
    delimiter: upload.delimiter,
    content: upload.content,
    createdBy: actor.userId,
  })
  const metadata = { kind: 'csv', columns: upload.columns, rowCount: upload.rowCount, discoveredAt: new Date().toISOString() }
  await recordSchemaMetadata(db, actor.orgId, id, metadata)
  await recordHealth(db, actor.orgId, id, 'healthy', null)
  return getDataSource(db, box, actor, row.id)
}

/** Stores the outcome of a connection test or health check. */
export async function recordCheck(db: Db, orgId: string, id: string, result: CheckResult): Promise<void> {
  await recordHealth(db, orgId, id, result.health, result.ok ? null : (result.error ?? 'failed'))
}

export async function recordDiscovery(db: Db, orgId: string, id: string, metadata: Record<string, unknown>): Promise<void> {
  await recordSchemaMetadata(db, orgId, id, metadata)
}
