import { compileMapping, type CompiledMapping, type MappingSpec } from '../mappings/mapping.engine.ts'
import type { IngestPipelineRow } from './ingest.repository.ts'

const MAX_ENTRIES = 1000
const cache = new Map<string, { stamp: string; compiled: CompiledMapping }>()

/**
 * The compiled mapping of a pipeline, compiled once per mapping version: the cache key carries
 * the pipeline id and the stamp (version and updated_at) of the row it was compiled from, so
 * an edited mapping is recompiled on the next batch in every process.
 */
export function compiledMappingFor(pipeline: IngestPipelineRow): CompiledMapping {
  const stamp = pipeline.mapping_version === null ? 'none' : `${pipeline.mapping_version}:${pipeline.mapping_updated_at?.getTime() ?? 0}`
  const hit = cache.get(pipeline.id)
  if (hit && hit.stamp === stamp) {
    return hit.compiled
  }
  const spec: MappingSpec | null =
    pipeline.mapping_version === null
      ? null
      : {
          sourceSchema: pipeline.source_schema,
          mappings: (pipeline.mappings ?? []) as MappingSpec['mappings'],
          transformations: (pipeline.transformations ?? []) as MappingSpec['transformations'],
          timestampField: pipeline.timestamp_field,
        }
  const compiled = compileMapping(spec)
  if (cache.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest entry.
    const oldest = cache.keys().next().value
    if (oldest !== undefined) {
      cache.delete(oldest)
    }
  }
  cache.delete(pipeline.id)
  cache.set(pipeline.id, { stamp, compiled })
  return compiled
}
