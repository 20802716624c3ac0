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
export const DEFAULT_GROUP_LIMIT = 10
const GroupLimit = Type.Integer({
  minimum: 1,
  maximum: 50,
  description: `With groupBy: how many groups are kept by name (default ${DEFAULT_GROUP_LIMIT}), ranked by their total over the range; the rest are merged into the group "other" per bucket`,
})

export const MetricDataQuery = Type.Object(
  {
    source: Type.Literal('metric'),
    metricId: Type.String({ format: 'uuid' }),
    aggregation: Type.Optional(Aggregation),
    bucket: Type.Optional(Bucket),
    groupBy: Type.Optional(Dimension),
    limit: Type.Optional(GroupLimit),
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
    limit: Type.Optional(GroupLimit),
  },
  { additionalProperties: false },
)

const ParamScalar = Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Boolean()])

export const QueryDataQuery = Type.Object(
  {
    source: Type.Literal('query'),
    queryId: Type.String({ format: 'uuid', description: 'A saved query of the organization' }),
    params: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 63 }), Type.Union([ParamScalar, Type.Array(Type.Union([Type.String({ maxLength: 10_000 }), Type.Number()]), { maxItems: 1000 })]), {
      description: "Values of the query's {{name}} parameters; a value set here pins the parameter (a dashboard filter of the same name no longer changes it)",
    })),
  },
  { additionalProperties: false },
)
export type QueryDataQuery = Static<typeof QueryDataQuery>

export const DataQuery = Type.Union([MetricDataQuery, PipelineDataQuery, QueryDataQuery], { description: 'Where a widget gets its data: the points of a metric or a pipeline field, or the rows of a saved query' })
export type DataQuery = Static<typeof DataQuery>
/** The sources answered by the series engine (points over time). */
export type SeriesDataQuery = Exclude<DataQuery, QueryDataQuery>
/**
 * A query as a dashboard runs it for one widget (never stored): `compare` asks a series source
 * for its figure over the range and over the period just before it (stat cards).
 */
export type WidgetQuery = DataQuery & { compare?: boolean }

export const WidgetRange = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
})
export type WidgetRange = Static<typeof WidgetRange>

export const WidgetPreviewBody = Type.Composite([
  Type.Object({
    dataQuery: DataQuery,
    compare: Type.Optional(Type.Boolean({ description: "Also answer comparison, a stat card's figure over the range and the period before it (metric and pipeline sources)" })),
  }),
  WidgetRange,
], { additionalProperties: false })
export type WidgetPreviewBody = Static<typeof WidgetPreviewBody>

/** A saved query's rows as a widget shows them (after the view's column filters). */
export const QueryTable = Type.Object({
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  rowCount: Type.Integer({ description: 'Rows returned (after the view filters)' }),
  truncated: Type.Boolean({ description: "The source had more rows than the query's row limit; only the first ones are here" }),
  asOf: Type.String({ format: 'date-time', description: 'When the result was computed on the source' }),
  cached: Type.Boolean({ description: "Served from the saved query's result cache" }),
})
export type QueryTable = Static<typeof QueryTable>

const Instant = Type.String({ format: 'date-time' })

/**
 * A stat card's figure: the query's aggregation over the whole range (sum and count add up,
 * avg is weighted by point count, min and max of the range) and the same over the period of
 * the same length just before it. The change is value against previous.
 */
export const StatComparison = Type.Object({
  value: Type.Union([Type.Number(), Type.Null()], { description: 'Over [from, to); null when the range has no point' }),
  previous: Type.Union([Type.Number(), Type.Null()], { description: 'Over [previousFrom, previousTo); null when that period has no point' }),
  from: Instant,
  to: Instant,
  previousFrom: Instant,
  previousTo: Instant,
})
export type StatComparison = Static<typeof StatComparison>

/** One widget's answer: its series or table, or the error that kept it from having one (shown on the widget). */
export const WidgetData = Type.Union([
  Type.Object({ status: Type.Literal('ok'), series: SeriesResponse, comparison: Type.Optional(StatComparison) }),
  Type.Object({ status: Type.Literal('ok'), table: QueryTable }),
  Type.Object({ status: Type.Literal('error'), error: Type.Object({ code: Type.String(), message: Type.String() }) }),
])
export type WidgetData = Static<typeof WidgetData>
