import { AppError } from '../../platform/errors.ts'
import { compileMapping, validateMappingSpec } from './mapping.engine.ts'
import type { MappingResult } from './mapping.types.ts'

export const MAX_PREVIEW_SAMPLE = 1000

/**
 * Runs a not-yet-saved mapping over sample records, for the pipeline editor. Validation errors
 * throw AppError 400 (invalid_mapping, or validation_failed for the sample); record-level
 * problems come back in `errors`, exactly as ingestion would report them.
 */
export function previewMapping(spec: unknown, sample: unknown[]): MappingResult {
  if (!Array.isArray(sample) || sample.length > MAX_PREVIEW_SAMPLE) {
    const message = `The sample must be an array of at most ${MAX_PREVIEW_SAMPLE} records`
    throw new AppError('validation_failed', 400, message, { details: [{ field: 'sample', message }] })
  }
  return compileMapping(validateMappingSpec(spec)).apply(sample)
}
