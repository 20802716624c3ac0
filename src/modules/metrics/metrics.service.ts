import type { Updateable } from 'kysely'
import type { AppMetrics } from '../../platform/db.generated.ts'
import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { parsePath, PathSyntaxError } from '../mappings/mapping.path.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { dataSourceType, deleteMetricWithPoints, findMetric, insertMetric, listMetrics as listMetricRows, pipelineExists, updateMetric as updateMetricRow, type MetricRow } from './metrics.repository.ts'
import type { CreateMetricBody, MetricResponse, UpdateMetricBody } from './metrics.schema.ts'

const iso = (value: Date | null) => (value ? value.toISOString() : null)

export function toMetricResponse(row: MetricRow): MetricResponse {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    description: row.description,
    unit: row.unit,
    aggregationType: row.aggregation_type as MetricResponse['aggregationType'],
    source: row.source as MetricResponse['source'],
    pipelineId: row.pipeline_id,
    valuePath: row.value_path,
    dimensionPaths: row.dimension_paths as Record<string, string>,
    dataSourceId: row.data_source_id,
    calculationMethod: row.calculation_method,
    refreshFrequency: row.refresh_frequency,
    thresholds: row.thresholds as MetricResponse['thresholds'],
    tags: row.tags,
    isActive: row.is_active,
    compressAfterDays: row.compress_after_days,
    rawRetentionDays: row.raw_retention_days,
    lastCalculatedAt: iso(row.last_calculated_at),
    lastCalculationError: row.last_calculation_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

export const invalid = (field: string, message: string) => new AppError('validation_failed', 400, `${field} ${message}`, { details: [{ field, message }] })

function checkPath(field: string, path: string): void {
  try {
    parsePath(path)
  } catch (error) {
    if (error instanceof PathSyntaxError) {
      throw invalid(field, `is not a valid JSONPath: ${error.message}`)
    }
    throw error
  }
}

/**
 * The rules that depend on where the points come from, checked on the metric as it will be
 * stored (a PATCH is merged with the current row first): the database checks only that the
 * required column is set, this answers which field is wrong and why.
 */
async function checkSource(db: Db, orgId: string, m: MetricResponse): Promise<void> {
  const thresholds = m.thresholds
  if (thresholds.warning != null && thresholds.critical != null) {
    const below = thresholds.direction === 'below'
    if (below ? thresholds.critical > thresholds.warning : thresholds.critical < thresholds.warning) {
      throw invalid('body.thresholds', `critical must be ${below ? 'at most' : 'at least'} warning when direction is ${below ? 'below' : 'above'}`)
    }
  }
  for (const [name, path] of Object.entries(m.dimensionPaths)) {
    checkPath(`body.dimensionPaths.${name}`, path)
  }
  if (m.source === 'pipeline') {
    if (!m.pipelineId) {
      throw invalid('body.pipelineId', 'is required when source is pipeline')
    }
    if (!m.valuePath) {
      throw invalid('body.valuePath', 'is required when source is pipeline')
    }
    checkPath('body.valuePath', m.valuePath)
    if (!(await pipelineExists(db, orgId, m.pipelineId))) {
      throw invalid('body.pipelineId', 'is not a pipeline of this organization')
    }
  }
  if (m.source === 'data_source') {
    if (!m.dataSourceId) {
      throw invalid('body.dataSourceId', 'is required when source is data_source')
    }
    const type = await dataSourceType(db, orgId, m.dataSourceId)
    if (!type) {
      throw invalid('body.dataSourceId', 'is not a data source of this organization')
    }
    if (type !== 'postgresql' && type !== 'mysql') {
      throw invalid('body.dataSourceId', `is a ${type} source; calculations run SQL on a postgresql or mysql source`)
    }
    if (!/^\s*(select|with)\b/i.test(m.calculationMethod)) {
      throw invalid('body.calculationMethod', 'must be a SELECT returning a value column (and optionally timestamp and dimension columns)')
    }
  }
}

function toColumns(m: Omit<MetricResponse, 'id' | 'createdAt' | 'updatedAt' | 'lastCalculatedAt' | 'lastCalculationError'>): Updateable<AppMetrics> {
  return {
    name: m.name,
    display_name: m.displayName,
    description: m.description,
    unit: m.unit,
    aggregation_type: m.aggregationType,
    source: m.source,
    // References that don't belong to the source are cleared, so a push metric never runs SQL.
    pipeline_id: m.source === 'pipeline' ? m.pipelineId : null,
    value_path: m.source === 'pipeline' ? m.valuePath : null,
    dimension_paths: JSON.stringify(m.source === 'pipeline' ? m.dimensionPaths : {}),
    data_source_id: m.source === 'data_source' ? m.dataSourceId : null,
    calculation_method: m.source === 'data_source' ? m.calculationMethod : '',
    refresh_frequency: m.refreshFrequency,
    thresholds: JSON.stringify(m.thresholds),
    tags: [...new Set(m.tags)],
    is_active: m.isActive,
    compress_after_days: m.compressAfterDays,
    raw_retention_days: m.rawRetentionDays,
  }
}

async function withUniqueName<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError('conflict', 409, `A metric named "${name}" already exists in this organization`, { cause: error })
    }
    throw error
  }
}

export async function createMetric(db: Db, actor: OrgActor, body: CreateMetricBody): Promise<MetricResponse> {
  const m = {
    name: body.name,
    displayName: body.displayName,
    description: body.description ?? null,
    unit: body.unit ?? 'count',
    aggregationType: body.aggregationType ?? 'sum',
    source: body.source ?? 'push',
    pipelineId: body.pipelineId ?? null,
    valuePath: body.valuePath ?? null,
    dimensionPaths: body.dimensionPaths ?? {},
    dataSourceId: body.dataSourceId ?? null,
    calculationMethod: body.calculationMethod ?? '',
    refreshFrequency: body.refreshFrequency ?? 300,
    thresholds: body.thresholds ?? {},
    tags: body.tags ?? [],
    isActive: body.isActive ?? true,
    compressAfterDays: body.compressAfterDays ?? null,
    rawRetentionDays: body.rawRetentionDays ?? null,
  }
  await checkSource(db, actor.orgId, m as MetricResponse)
  const row = await withUniqueName(m.name, () =>
    insertMetric(db, { ...toColumns(m), organization_id: actor.orgId, created_by: actor.userId } as Parameters<typeof insertMetric>[1]),
  )
  return toMetricResponse(row)
}

export async function requireMetric(db: Db, orgId: string, id: string): Promise<MetricRow> {
  const row = await findMetric(db, orgId, id)
  if (!row) {
    throw notFound('metric')
  }
  return row
}

export async function getMetric(db: Db, actor: OrgActor, id: string): Promise<MetricResponse> {
  return toMetricResponse(await requireMetric(db, actor.orgId, id))
}

export async function listMetrics(db: Db, actor: OrgActor, filter: { search?: string; tag?: string; source?: string }): Promise<MetricResponse[]> {
  return (await listMetricRows(db, actor.orgId, filter)).map(toMetricResponse)
}

export async function updateMetric(db: Db, actor: OrgActor, id: string, body: UpdateMetricBody): Promise<MetricResponse> {
  const current = toMetricResponse(await requireMetric(db, actor.orgId, id))
  const merged = { ...current, ...body }
  await checkSource(db, actor.orgId, merged)
  const row = await withUniqueName(merged.name, () => updateMetricRow(db, actor.orgId, id, toColumns(merged)))
  if (!row) {
    throw notFound('metric')
  }
  return toMetricResponse(row)
}

export async function deleteMetric(db: Db, actor: OrgActor, id: string): Promise<void> {
  if (!(await deleteMetricWithPoints(db, actor.orgId, id))) {
    throw notFound('metric')
  }
}
