import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { DashboardResponse, Theme } from '../dashboards/dashboards.schema.ts'
import { Position, WidgetResponse, WidgetTypeSchema } from '../dashboards/widgets.schema.ts'
import { DataQuery } from '../widget-data/widget-data.schema.ts'

/** Saving a dashboard as one document, its versions, their diffs and restore (issue 5, "Versions"). */

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

/** The most widgets one dashboard document may hold. */
export const MAX_WIDGETS = 200

export const WidgetConfig = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
  maxProperties: 100,
  description: 'Per type: text widgets need markdown (string); image widgets need url (http or https); charts keep their display options here',
})

export const DocumentWidget = Type.Object(
  {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'A widget of this dashboard to update; without an id the widget is created' })),
    type: WidgetTypeSchema,
    title: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
    position: Position,
    config: Type.Optional(WidgetConfig),
    dataQuery: Type.Optional(Nullable(DataQuery)),
    cacheDuration: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  },
  { additionalProperties: false },
)
export type DocumentWidget = Static<typeof DocumentWidget>

export const SaveDocumentBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    filters: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 })),
    refreshInterval: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds; 0 turns auto-refresh off' })),
    theme: Type.Optional(Theme),
    widgets: Type.Array(DocumentWidget, { maxItems: MAX_WIDGETS, description: 'Every widget of the dashboard after the save: with an id updated, without one created; widgets not listed are deleted' }),
    summary: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'What this save changed, for the version list; written from the diff when left out' })),
    baseVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'The version the editor started from; when another save came in since, the save is refused with 409 version_conflict' })),
  },
  { additionalProperties: false },
)
export type SaveDocumentBody = Static<typeof SaveDocumentBody>

export const SavedDocument = Type.Object({ dashboard: DashboardResponse, widgets: Type.Array(WidgetResponse), version: Type.Integer() })
export type SavedDocument = Static<typeof SavedDocument>

export const VersionParams = Type.Object({ orgId: Type.String(), dashboardId: Uuid, version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) })

export const VersionListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
)
export type VersionListQuery = Static<typeof VersionListQuery>

const Author = Nullable(Type.Object({ id: Uuid, name: Type.String() }, { description: 'Who saved it; null when that user was deleted' }))

export const VersionSummary = Type.Object({ version: Type.Integer(), summary: Type.String(), author: Author, createdAt: DateTime, widgetCount: Type.Integer() })
export type VersionSummary = Static<typeof VersionSummary>
export const VersionList = Type.Object({ versions: Type.Array(VersionSummary), total: Type.Integer() })
export type VersionList = Static<typeof VersionList>

export const VersionDetailQuery = Type.Object(
  { against: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Compare with this version instead of the one before' })) },
  { additionalProperties: false },
)
export type VersionDetailQuery = Static<typeof VersionDetailQuery>

const Rect = Type.Object({ x: Type.Integer(), y: Type.Integer(), w: Type.Integer(), h: Type.Integer() })
const WidgetRef = Type.Object({ id: Type.String(), title: Type.String(), type: Type.String() })

export const SnapshotSchema = Type.Object({
  settings: Type.Object({
    name: Type.String(),
    description: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    theme: Type.Unknown(),
    filters: Type.Unknown(),
    refreshInterval: Type.Integer(),
    layout: Type.Unknown(),
  }),
  widgets: Type.Array(Type.Object({
    id: Type.String(),
    type: Type.String(),
    title: Type.String(),
    description: Nullable(Type.String()),
    position: Rect,
    config: Type.Record(Type.String(), Type.Unknown()),
    dataQuery: Nullable(Type.Record(Type.String(), Type.Unknown())),
    cacheDuration: Type.Integer(),
  })),
})

export const VersionDiffSchema = Type.Object({
  settings: Type.Array(Type.Object({ field: Type.String(), from: Type.Unknown(), to: Type.Unknown() })),
  widgetsAdded: Type.Array(WidgetRef),
  widgetsRemoved: Type.Array(WidgetRef),
  widgetsChanged: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), fields: Type.Array(Type.String()) })),
  layoutMoves: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), from: Rect, to: Rect })),
})

export const VersionDetail = Type.Object({
  version: Type.Integer(),
  summary: Type.String(),
  author: Author,
  createdAt: DateTime,
  /** The version compared with: the one before unless ?against says otherwise; null for a first version. */
  comparedWith: Nullable(Type.Integer()),
  snapshot: SnapshotSchema,
  diff: VersionDiffSchema,
})
export type VersionDetail = Static<typeof VersionDetail>
