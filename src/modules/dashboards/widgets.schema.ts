import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { DataQuery, QueryTable, StatComparison, WidgetRange } from '../widget-data/widget-data.schema.ts'
import { SeriesResponse } from '../timeseries/series.schema.ts'

/** Widgets of a dashboard (issue 5): types, grid positions, per-type config and the data query. */

const Uuid = Type.String({ format: 'uuid' })
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const GRID_COLUMNS = 12
export const MAX_HEIGHT = 50
export const MAX_MARKDOWN = 20_000
export const MAX_URL = 2_048

export const WIDGET_TYPES = ['line_chart', 'area_chart', 'bar_chart', 'pie_chart', 'table', 'stat_card', 'text', 'image'] as const
export type WidgetType = (typeof WIDGET_TYPES)[number]
/** Widgets that show data need a data query; text and image widgets are static. */
export const STATIC_TYPES: readonly WidgetType[] = ['text', 'image']
export const WidgetTypeSchema = Type.Union([
  Type.Literal('line_chart'), Type.Literal('area_chart'), Type.Literal('bar_chart'), Type.Literal('pie_chart'),
  Type.Literal('table'), Type.Literal('stat_card'), Type.Literal('text'), Type.Literal('image'),
])

export const WidgetParams = Type.Object({ orgId: Type.String(), dashboardId: Uuid, widgetId: Uuid })

/** A cell rectangle on the 12-column grid; x + w ≤ 12 is checked by the service (field-level details). */
const GridFields = {
  x: Type.Integer({ minimum: 0, maximum: GRID_COLUMNS - 1 }),
  y: Type.Integer({ minimum: 0, maximum: 100_000 }),
  w: Type.Integer({ minimum: 1, maximum: GRID_COLUMNS }),
  h: Type.Integer({ minimum: 1, maximum: MAX_HEIGHT }),
}
export const Position = Type.Object(GridFields, { additionalProperties: false })
export type Position = Static<typeof Position>

const Config = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
  maxProperties: 100,
  description: 'Per type: text widgets need markdown (string); image widgets need url (http or https); charts keep their display options here',
})

export const CreateWidgetBody = Type.Object(
  {
    type: WidgetTypeSchema,
    title: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
    position: Position,
    config: Type.Optional(Config),
    dataQuery: Type.Optional(Nullable(DataQuery)),
    cacheDuration: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  },
  { additionalProperties: false },
)
export type CreateWidgetBody = Static<typeof CreateWidgetBody>

export const UpdateWidgetBody = Type.Partial(
  Type.Object({
    type: WidgetTypeSchema,
    title: Type.String({ minLength: 1, maxLength: 255 }),
    description: Nullable(Type.String({ maxLength: 10_000 })),
    position: Position,
    config: Config,
    dataQuery: Nullable(DataQuery),
    cacheDuration: Type.Integer({ minimum: 0, maximum: 86_400 }),
  }),
  { additionalProperties: false },
)
export type UpdateWidgetBody = Static<typeof UpdateWidgetBody>

export const LayoutBody = Type.Object(
  { items: Type.Array(Type.Object({ widgetId: Uuid, ...GridFields }, { additionalProperties: false }), { maxItems: 500 }) },
  { additionalProperties: false },
)
export type LayoutBody = Static<typeof LayoutBody>

export const WidgetResponse = Type.Object({
  id: Uuid,
  dashboardId: Uuid,
  type: WidgetTypeSchema,
  title: Type.String(),
  description: Nullable(Type.String()),
  position: Position,
  config: Type.Record(Type.String(), Type.Unknown()),
  dataQuery: Nullable(Type.Unknown()),
  cacheDuration: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type WidgetResponse = Static<typeof WidgetResponse>

export const WidgetList = Type.Object({ widgets: Type.Array(WidgetResponse) })
export type WidgetList = Static<typeof WidgetList>

export const DashboardDataQuery = Type.Composite([
  WidgetRange,
  Type.Object({
    range: Type.Optional(Type.String({
      pattern: '^[1-9][0-9]{0,3}[mhd]$',
      description: 'A window ending now, e.g. 15m, 24h, 30d (instead of from and to): viewers of the same relative view share one answer',
    })),
    filters: Type.Optional(Type.String({
      maxLength: 4_000,
      description: 'A JSON object of dimension → value (e.g. {"region":"eu"}) that replaces the saved filters for this view: cross-filters and the URL\'s filters',
    })),
  }),
], { additionalProperties: false })
export type DashboardDataQuery = Static<typeof DashboardDataQuery>

export const WidgetDataItem = Type.Union([
  Type.Object({ id: Uuid, status: Type.Literal('ok'), series: SeriesResponse, comparison: Type.Optional(StatComparison) }),
  Type.Object({ id: Uuid, status: Type.Literal('ok'), table: QueryTable }),
  Type.Object({ id: Uuid, status: Type.Literal('error'), error: Type.Object({ code: Type.String(), message: Type.String() }) }),
  Type.Object({ id: Uuid, status: Type.Literal('static') }),
])
export const DashboardData = Type.Object({
  asOf: Type.String({ format: 'date-time' }),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  widgets: Type.Array(WidgetDataItem),
})
export type DashboardData = Static<typeof DashboardData>
