import { Type, type Static } from '@sinclair/typebox'
import { BatchQualityOutcome } from '../data-quality/data-quality.schema.ts'

export const IngestParams = Type.Object({ pipelineId: Type.String({ format: 'uuid' }) })
export const HookParams = Type.Object({ pipelineId: Type.String({ format: 'uuid' }), secret: Type.String({ minLength: 1, maxLength: 200 }) })

export const IngestQuery = Type.Object(
  { atomic: Type.Optional(Type.Boolean({ default: false, description: 'true: a batch with any invalid record stores nothing and answers 422' })) },
  { additionalProperties: false },
)

export const IngestHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'A replay of a completed batch with this key answers the stored result and stores nothing again' }),
  ),
})

export const RecordErrorResponse = Type.Object({
  index: Type.Integer({ description: 'Position of the record in the batch (0-based)' }),
  code: Type.String({ description: 'missing_field, cast_failed, invalid_record, expression_failed, invalid_timestamp or unstorable_value' }),
  message: Type.String(),
  field: Type.Optional(Type.String()),
})

export const IngestResponse = Type.Object({
  accepted: Type.Integer({ description: 'Records stored (p2p pipelines: accepted and forwarded, not stored)' }),
  rejected: Type.Integer({ description: 'Records refused; see errors' }),
  filtered: Type.Integer({ description: 'Records dropped by a filter of the mapping' }),
  errors: Type.Array(RecordErrorResponse),
  ingestionJobId: Type.String({ format: 'uuid', description: 'The data_ingestion_jobs row of this batch' }),
  quality: Type.Optional(
    Type.Array(BatchQualityOutcome, {
      description:
        "The pipeline's data quality checks on this batch (present when it has enabled batch checks). A failed check with onFailure " +
        '`pause` has paused the pipeline: this batch is stored, the next push answers 409 pipeline_paused.',
    }),
  ),
})
export type IngestResponse = Static<typeof IngestResponse>
export type RecordErrorResponse = Static<typeof RecordErrorResponse>
