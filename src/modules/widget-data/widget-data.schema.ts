import { Type, type Static } from '@sinclair/typebox'
import { SeriesResponse } from '../timeseries/series.schema.ts'

/**
 * A widget's data query (issue 5): built in a form, never typed SQL. It names a source and the
 * series engine's options; the dashboard's time range and time zone come with the request.
 */

const Aggregation = Type.Union([Type.Literal('sum'), Type.Literal('avg'), Type.Literal('count'), Type.Literal('min'), Type.Literal('max')])
const Bucket = Type.Union(
  [Type.Literal('1m'), Type.Literal('5m'), Type.Literal('15m'), Type.Literal('1h'), Type.Literal('1d'), Type.Literal('1w'), Type.Literal('1mo'), Type.Literal('auto')],
  { description: 'auto (default): the finest size giving at most ~300 points' },
)
const Dimension = Type.String({ minLength: 1, maxLength: 100 })

export const MetricDataQuery = Type.Object(
  {
    source: Type.Literal('metric'),
    metricId: Type.String({ format: 'uuid' }),
    aggregation: Type.Optional(Aggregation),
    bucket: Type.Optional(Bucket),
    groupBy: Type.Optional(Dimension),
    filters: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 500 }), { description: 'dimension → value; points must match all' })),
  },
  { additionalProperties: false },
)

export const PipelineDataQuery = Type.Object(
  {
    source: Type.Literal('pipeline'),
    pipelineId: Type.String({ format: 'uuid' }),
    field: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A numeric field (dotted path); without it, records are counted' })),
    aggregation: Type.Optional(Aggregation),
    bucket: Type.Optional(Bucket),
    groupBy: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const DataQuery = Type.Union([MetricDataQuery, PipelineDataQuery], { description: 'Where a widget gets its points' })
export type DataQuery = Static<typeof DataQuery>

export const WidgetRange = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
})
export type WidgetRange = Static<typeof WidgetRange>

export const WidgetPreviewBody = Type.Composite([Type.Object({ dataQuery: DataQuery }), WidgetRange], { additionalProperties: false })
export type WidgetPreviewBody = Static<typeof WidgetPreviewBody>

/** One widget's answer: its series, or the error that kept it from having one (shown on the widget). */
export const WidgetData = Type.Union([
  Type.Object({ status: Type.Literal('ok'), series: SeriesResponse }),
  Type.Object({ status: Type.Literal('error'), error: Type.Object({ code: Type.String(), message: Type.String() }) }),
])
export type WidgetData = Static<typeof WidgetData>
