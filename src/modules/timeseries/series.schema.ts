import { Type, type Static } from '@sinclair/typebox'

const BucketSchema = Type.Union([Type.Literal('1m'), Type.Literal('5m'), Type.Literal('15m'), Type.Literal('1h'), Type.Literal('1d'), Type.Literal('1w'), Type.Literal('1mo')])
const AggSchema = Type.Union([Type.Literal('sum'), Type.Literal('avg'), Type.Literal('count'), Type.Literal('min'), Type.Literal('max')])

export const MetricSeriesParams = Type.Object({ orgId: Type.String(), metricId: Type.String({ format: 'uuid' }) })

export const SeriesQuerystring = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive start; default: 24 hours before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive end, at most five years after `from`; default: now' })),
    bucket: Type.Optional(
      Type.Union([...BucketSchema.anyOf, Type.Literal('auto')], {
        description: 'Bucket size; 1d/1w/1mo follow the calendar of `tz`. auto (default): the finest size giving at most ~300 points',
      }),
    ),
    agg: Type.Optional(AggSchema),
    groupBy: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A dimension: the top 20 values by point count, the rest as "other"' })),
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone for day, week and month buckets (default UTC)' })),
    filter: Type.Optional(Type.String({ maxLength: 1000, description: 'dimension:value pairs separated by commas; points must match all' })),
  },
  { additionalProperties: false },
)
export type SeriesQuerystring = Static<typeof SeriesQuerystring>

export const SeriesPoint = Type.Object({
  t: Type.String({ format: 'date-time', description: 'Bucket start' }),
  value: Type.Union([Type.Number(), Type.Null()]),
  count: Type.Integer(),
  min: Type.Union([Type.Number(), Type.Null()]),
  max: Type.Union([Type.Number(), Type.Null()]),
  group: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The groupBy dimension value (null: points without it)' })),
})

export const SeriesSource = Type.Union([Type.Literal('rollup'), Type.Literal('raw'), Type.Literal('mixed'), Type.Literal('compressed')])

export const SeriesResponse = Type.Object({
  bucket: BucketSchema,
  agg: AggSchema,
  source: SeriesSource,
  asOf: Type.String({ format: 'date-time', description: 'When the answer was computed: it includes every point committed by then' }),
  cache: Type.Union([Type.Literal('hit'), Type.Literal('miss')]),
  points: Type.Array(SeriesPoint, { description: 'Oldest first; empty buckets are left out' }),
})
export type SeriesResponse = Static<typeof SeriesResponse>
export type SeriesSource = Static<typeof SeriesSource>
