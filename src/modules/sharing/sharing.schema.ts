import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { WidgetTypeSchema } from '../dashboards/widgets.schema.ts'

/**
 * Public links and signed embeds of dashboards (issue 5, sharing). The public payload and its
 * data are explicit allowlists: every object here has additionalProperties false, and the
 * response serializer drops anything not listed, so a field added to a dashboard or widget
 * never reaches an anonymous viewer without a change (and a snapshot test update) here.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])
const DateTime = Type.String({ format: 'date-time' })
const Colour = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' })
const closed = { additionalProperties: false } as const

export const DashboardShareParams = Type.Object({ orgId: Type.String(), dashboardId: Type.String({ format: 'uuid' }) })
export const TokenParams = Type.Object({ token: Type.String({ description: 'The token of the link; an unknown, revoked or malformed one answers 404' }) })

export const PublicLinkBody = Type.Object(
  { allowViewerChanges: Type.Optional(Type.Boolean({ description: "Whether viewers may change the time range and filters; otherwise the owner's saved ones apply" })) },
  closed,
)
export type PublicLinkBody = Static<typeof PublicLinkBody>

export const PublicLinkResponse = Type.Object(
  {
    token: Type.String({ description: 'Shown once: only its SHA-256 is stored. Creating the link again replaces it' }),
    url: Type.String({ description: '<publicUrl>/public/<token>' }),
    prefix: Type.String({ description: 'The first characters of the token, shown on the dashboard to recognise the link' }),
    allowViewerChanges: Type.Boolean(),
  },
  closed,
)
export type PublicLinkResponse = Static<typeof PublicLinkResponse>

const DimensionFilters = Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 500 }), { maxProperties: 50 })

export const EmbedUrlBody = Type.Object(
  {
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 2_592_000, description: 'How long the URL works: 60 s to 30 days (default one day)' })),
    filters: Type.Optional({ ...DimensionFilters, description: "Dimension → value filters locked into the URL (on top of the dashboard's saved ones); viewers cannot change them" }),
    from: Type.Optional({ ...DateTime, description: 'With to: a fixed time range locked into the URL; without, viewers may change the range' }),
    to: Type.Optional(DateTime),
  },
  closed,
)
export type EmbedUrlBody = Static<typeof EmbedUrlBody>

export const EmbedUrlResponse = Type.Object({ url: Type.String({ description: '<publicUrl>/embed/<signed token>' }), expiresAt: DateTime }, closed)
export type EmbedUrlResponse = Static<typeof EmbedUrlResponse>

export const SharedDataQuery = Type.Object(
  {
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    range: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}[mhdw]$', description: 'A window ending now (e.g. 15m, 24h, 7d) instead of from and to; a change of range like them' })),
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone for day, week and month buckets (always allowed)' })),
    filters: Type.Optional(Type.String({ maxLength: 4_000, description: 'A JSON object of dimension → value replacing the saved filters; only when the link allows viewer changes' })),
  },
  closed,
)
export type SharedDataQuery = Static<typeof SharedDataQuery>

/** Presentation options a viewer may see, each with its type; every other widget config key is dropped. */
export const PublicDisplay = Type.Object(
  {
    unit: Type.Optional(Type.String({ maxLength: 32 })),
    decimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    stacked: Type.Optional(Type.Boolean()),
    donut: Type.Optional(Type.Boolean()),
    colors: Type.Optional(Type.Array(Colour, { maxItems: 20 })),
    thresholds: Type.Optional(Type.Object({
      warning: Type.Optional(Type.Number()),
      critical: Type.Optional(Type.Number()),
      direction: Type.Optional(Type.Union([Type.Literal('above'), Type.Literal('below')])),
    }, { ...closed, description: 'stat cards: the colours past each limit; direction says whether high (above) or low (below) values are bad' })),
    groupBy: Type.Optional(Type.String({ maxLength: 200, description: 'the dimension a chart is split by: clicking a group filters on it' })),
    target: Type.Optional(Type.Number()),
    warning: Type.Optional(Type.Number()),
    critical: Type.Optional(Type.Number()),
    sparkline: Type.Optional(Type.Boolean()),
    showChange: Type.Optional(Type.Boolean()),
    showLegend: Type.Optional(Type.Boolean()),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
    xColumn: Type.Optional(Type.String({ maxLength: 100 })),
    yColumns: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
    markdown: Type.Optional(Type.String({ maxLength: 20_000, description: 'text widgets only' })),
    url: Type.Optional(Type.String({ maxLength: 2_048, description: 'image widgets only; http or https' })),
    alt: Type.Optional(Type.String({ maxLength: 500, description: 'image widgets only' })),
  },
  closed,
)
export type PublicDisplay = Static<typeof PublicDisplay>

const WidgetKey = Type.String({ pattern: '^w[0-9]+$', description: 'Opaque, per payload: w1, w2, … in grid order; the data endpoint answers with the same keys' })

export const PublicWidget = Type.Object(
  {
    key: WidgetKey,
    type: WidgetTypeSchema,
    title: Type.String(),
    description: Nullable(Type.String()),
    position: Type.Object({ x: Type.Integer(), y: Type.Integer(), w: Type.Integer(), h: Type.Integer() }, closed),
    display: PublicDisplay,
  },
  closed,
)
export type PublicWidget = Static<typeof PublicWidget>

export const RelativeRange = Type.Object({ relative: Type.String({ pattern: '^[0-9]{1,4}[mhdw]$', description: 'The last N minutes, hours, days or weeks up to now, e.g. 24h' }) }, closed)
export const AbsoluteRange = Type.Object({ from: DateTime, to: DateTime }, closed)
export const SharedRange = Type.Union([RelativeRange, AbsoluteRange])
export type SharedRange = Static<typeof SharedRange>

export const PublicDashboard = Type.Object(
  {
    name: Type.String(),
    description: Nullable(Type.String()),
    theme: Type.Object({ primary: Type.Optional(Colour), secondary: Type.Optional(Colour) }, closed),
    refreshInterval: Type.Integer({ description: 'Seconds; 0: no auto-refresh' }),
    allowViewerChanges: Type.Boolean({ description: 'Whether viewers may change both the time range and the filters' }),
    locks: Type.Object(
      { range: Type.Boolean({ description: 'The time range is fixed (from/to refused with 403)' }), filters: Type.Boolean({ description: 'The filters are fixed (filters refused with 403)' }) },
      closed,
    ),
    range: SharedRange,
    filters: Type.Record(Type.String(), Type.String()),
    widgets: Type.Array(PublicWidget),
  },
  { ...closed, description: 'A dashboard as an anonymous viewer sees it: no ids, queries, sources, owners or tokens' },
)
export type PublicDashboard = Static<typeof PublicDashboard>

const PublicSeries = Type.Object(
  {
    bucket: Type.String(),
    agg: Type.String(),
    asOf: DateTime,
    points: Type.Array(
      Type.Object(
        {
          t: DateTime,
          value: Nullable(Type.Number()),
          count: Type.Integer(),
          min: Nullable(Type.Number()),
          max: Nullable(Type.Number()),
          group: Type.Optional(Nullable(Type.String())),
        },
        closed,
      ),
    ),
  },
  closed,
)
export type PublicSeries = Static<typeof PublicSeries>

/** A stat card's figure over the range and over the same length just before it (as members see it). */
const PublicComparison = Type.Object(
  { value: Nullable(Type.Number()), previous: Nullable(Type.Number()), from: DateTime, to: DateTime, previousFrom: DateTime, previousTo: DateTime },
  closed,
)
export type PublicComparison = Static<typeof PublicComparison>

const PublicTable = Type.Object(
  {
    columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() }, closed)),
    rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    rowCount: Type.Integer(),
    truncated: Type.Boolean(),
    asOf: DateTime,
  },
  closed,
)
export type PublicTable = Static<typeof PublicTable>

export const PublicWidgetData = Type.Union([
  Type.Object({ key: WidgetKey, status: Type.Literal('ok'), series: PublicSeries, comparison: Type.Optional(PublicComparison) }, closed),
  Type.Object({ key: WidgetKey, status: Type.Literal('ok'), table: PublicTable }, closed),
  Type.Object({ key: WidgetKey, status: Type.Literal('error'), error: Type.Object({ code: Type.String(), message: Type.String() }, closed) }, closed),
  Type.Object({ key: WidgetKey, status: Type.Literal('static') }, closed),
])
export type PublicWidgetData = Static<typeof PublicWidgetData>

export const PublicDashboardData = Type.Object(
  { asOf: DateTime, from: DateTime, to: DateTime, widgets: Type.Array(PublicWidgetData) },
  { ...closed, description: "Every widget's data, keyed like the payload's widgets; no ids" },
)
export type PublicDashboardData = Static<typeof PublicDashboardData>
