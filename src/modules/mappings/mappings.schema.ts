import { Type, type Static } from '@sinclair/typebox'
import { MAX_PREVIEW_SAMPLE } from './mapping.preview.ts'

export const PreviewMappingBody = Type.Object(
  {
    mapping: Type.Unknown({ description: 'A mapping spec { mappings, transformations, timestampField? }, as stored on a pipeline' }),
    sample: Type.Array(Type.Unknown(), { maxItems: MAX_PREVIEW_SAMPLE, description: `Up to ${MAX_PREVIEW_SAMPLE} raw records` }),
  },
  { additionalProperties: false },
)
export type PreviewMappingBody = Static<typeof PreviewMappingBody>

export const PreviewMappingResponse = Type.Object({
  rows: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'Position of the record in the sample' }),
      data: Type.Record(Type.String(), Type.Unknown(), { description: 'The row as it would be stored' }),
      recordTime: Type.Union([Type.Null(), Type.String({ format: 'date-time' })], { description: 'From timestampField; null means ingestion time' }),
    }),
  ),
  errors: Type.Array(
    Type.Object({
      index: Type.Integer(),
      code: Type.String({ description: 'missing_field, cast_failed, invalid_record, expression_failed or invalid_timestamp' }),
      message: Type.String(),
      field: Type.Optional(Type.String()),
    }),
  ),
  filtered: Type.Integer({ description: 'Records dropped by filter transformations' }),
})
export type PreviewMappingResponse = Static<typeof PreviewMappingResponse>
