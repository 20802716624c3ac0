/** Types of the data mapping engine: how a pipeline turns raw ingested records into stored rows. */

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'timestamp' | 'json'
export type CastErrorMode = 'reject' | 'null' | 'default'

export interface FieldMapping {
  /** JSONPath subset, e.g. $.user.id, $.items[0].price, $['odd key'] */
  path: string
  /** Output field name */
  field: string
  type: FieldType
  /** A missing or null value rejects the record (missing_field); otherwise it becomes `default` or null. */
  required?: boolean
  /** 'reject' (the default) rejects the record with cast_failed; 'null' and 'default' store that instead. */
  onCastError?: CastErrorMode
  /** Cast to `type` when the spec is compiled; used for a missing value and by onCastError 'default'. */
  default?: unknown
}

/**
 * Run in order on the output row. rename: a missing `from` is a no-op. cast: null stays null.
 * default: sets the field when it is missing or null. compute: sets the field to the expression.
 * filter: drops the row (counted in `filtered`) unless the expression is truthy.
 */
export type Transformation =
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'cast'; field: string; to: FieldMapping['type']; onError: CastErrorMode; default?: unknown }
  | { kind: 'default'; field: string; value: unknown }
  | { kind: 'compute'; field: string; expression: string }
  | { kind: 'filter'; expression: string }

export interface MappingSpec {
  sourceSchema?: unknown
  mappings: FieldMapping[]
  transformations: Transformation[]
  /** An output field whose value (ISO 8601 or epoch s/ms) becomes recordTime; missing or null → recordTime null. */
  timestampField?: string | null
}

export interface MappedRecord {
  data: Record<string, unknown>
  /** null → the caller uses ingested_at */
  recordTime: Date | null
}

/** The codes the engine emits; RecordError.code stays a string so callers can report their own. */
export type RecordErrorCode = 'missing_field' | 'cast_failed' | 'invalid_record' | 'expression_failed' | 'invalid_timestamp'

export interface RecordError {
  index: number
  /** Stable snake_case, one of RecordErrorCode for errors of the engine */
  code: string
  message: string
  field?: string
}

export interface MappingResult {
  rows: Array<MappedRecord & { index: number }>
  errors: RecordError[]
  filtered: number
}

export interface CompiledMapping {
  apply(records: readonly unknown[]): MappingResult
}
