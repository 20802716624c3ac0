import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { validateMappingSpec, type MappingSpec } from '../mappings/mapping.engine.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { deleteMapping as deleteMappingRow, findPipeline, upsertMapping, type PipelineRow } from './pipelines.repository.ts'
import type { MappingResponse, MappingSpecBody } from './pipelines.schema.ts'

export interface StoredMapping {
  sourceSchema: unknown
  mappings: unknown
  transformations: unknown
  timestampField: string | null
}

/** The mapping part of a pipeline row, or null when the pipeline has none. */
export function toMappingResponse(row: PipelineRow | null): MappingResponse | null {
  if (!row || row.mapping_version === null || row.mapping_updated_at === null) {
    return null
  }
  return {
    sourceSchema: row.mapping_source_schema ?? {},
    mappings: Array.isArray(row.mapping_mappings) ? row.mapping_mappings : [],
    transformations: Array.isArray(row.mapping_transformations) ? row.mapping_transformations : [],
    timestampField: row.mapping_timestamp_field,
    version: row.mapping_version,
    updatedAt: row.mapping_updated_at.toISOString(),
  }
}

/** Checks a mapping with the engine's validator; anything it refuses answers 400 invalid_mapping. */
export function validatePipelineMapping(input: MappingSpecBody): StoredMapping {
  let spec: MappingSpec
  try {
    spec = validateMappingSpec({ ...input, transformations: input.transformations ?? [] })
  } catch (error) {
    if (error instanceof AppError) {
      throw error
    }
    throw new AppError('invalid_mapping', 400, `The mapping is invalid: ${(error as Error).message}`, { cause: error })
  }
  return {
    sourceSchema: spec.sourceSchema ?? {},
    mappings: spec.mappings,
    transformations: spec.transformations,
    timestampField: spec.timestampField ?? null,
  }
}

/** Sets (or replaces) a pipeline's mapping; each change bumps its version, which ingest uses to recompile. */
export async function putMapping(db: Db, actor: OrgActor, pipelineId: string, input: MappingSpecBody): Promise<MappingResponse> {
  if (!(await findPipeline(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  await upsertMapping(db, { orgId: actor.orgId, pipelineId, ...validatePipelineMapping(input) })
  const mapping = toMappingResponse((await findPipeline(db, actor.orgId, pipelineId)) ?? null)
  if (!mapping) {
    throw new Error('the new mapping is not visible')
  }
  return mapping
}

/** Removes the mapping: records are stored as they come again. */
export async function deleteMapping(db: Db, actor: OrgActor, pipelineId: string): Promise<void> {
  if (!(await findPipeline(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  if (!(await deleteMappingRow(db, actor.orgId, pipelineId))) {
    throw notFound('mapping')
  }
}
