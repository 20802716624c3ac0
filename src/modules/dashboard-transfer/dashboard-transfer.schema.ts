import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Theme } from '../dashboards/dashboards.schema.ts'
import { Position, WidgetTypeSchema } from '../dashboards/widgets.schema.ts'
import { MAX_WIDGETS, WidgetConfig } from '../dashboard-versions/dashboard-versions.schema.ts'

/**
 * The portable dashboard document (issue 5, import/export): a dashboard with its widgets, not
 * its data, whose widgets name their sources (metric, pipeline, saved query) by name so the
 * document imports into another organization or instance. Kept in git by the CLI.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const DOCUMENT_FORMAT = 'tessera.dashboard'
export const DOCUMENT_FORMAT_VERSION = 1

/** A data query with its source named, e.g. {source: 'metric', metric: 'orders.total', bucket: '1h'}. */
export const PortableDataQuery = Type.Object(
  { source: Type.String({ minLength: 1, maxLength: 50, description: 'metric, pipeline or query' }) },
  {
    additionalProperties: true,
    maxProperties: 30,
    description: "The widget's data query with the source's name in place of its id: metric → {source: 'metric', metric: '<name>', …}, pipeline → {source: 'pipeline', pipeline: '<name>', …}, saved query → {source: 'query', query: '<name>', params}",
  },
)
export type PortableDataQuery = Static<typeof PortableDataQuery>

export const PortableWidget = Type.Object(
  {
    type: WidgetTypeSchema,
    title: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
    position: Position,
    config: Type.Optional(WidgetConfig),
    cacheDuration: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    dataQuery: Type.Optional(Nullable(PortableDataQuery)),
  },
  { additionalProperties: false },
)
export type PortableWidget = Static<typeof PortableWidget>

export const PortableDashboard = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    theme: Type.Optional(Theme),
    filters: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 })),
    refreshInterval: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  },
  { additionalProperties: false },
)

export const DashboardDocument = Type.Object(
  {
    format: Type.Literal(DOCUMENT_FORMAT),
    formatVersion: Type.Literal(DOCUMENT_FORMAT_VERSION),
    exportedAt: Type.Optional(Type.String({ format: 'date-time' })),
    dashboard: PortableDashboard,
    widgets: Type.Array(PortableWidget, { maxItems: MAX_WIDGETS }),
  },
  { additionalProperties: false },
)
export type DashboardDocument = Static<typeof DashboardDocument>

/** What import checks itself, after the format is known (so a foreign file gets a clear message). */
export const ImportDocument = Type.Composite([
  DashboardDocument,
  Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'A name for the imported dashboard instead of the one in the document' })) }),
], { additionalProperties: false })
export type ImportDocument = Static<typeof ImportDocument>

/** The route's own check: any JSON object saying which format it is; the rest is checked by the service. */
export const ImportBody = Type.Object(
  {
    format: Type.String({ maxLength: 100, description: `Must be "${DOCUMENT_FORMAT}"` }),
    formatVersion: Type.Integer({ description: `Must be ${DOCUMENT_FORMAT_VERSION}` }),
  },
  { additionalProperties: true, description: 'A document from GET …/dashboards/{id}/export, optionally with name (a new name for the copy)' },
)
export type ImportBody = Static<typeof ImportBody>

export const ImportQuery = Type.Object(
  { allowMissing: Type.Optional(Type.Boolean({ description: 'Import widgets whose source is missing anyway, without a data query and with config.missingSource naming it' })) },
  { additionalProperties: false },
)
export type ImportQuery = Static<typeof ImportQuery>
