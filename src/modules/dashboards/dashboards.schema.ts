import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const DashboardParams = Type.Object({ orgId: Type.String(), dashboardId: Uuid })

const Colour = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' })
const Tag = Type.String({ minLength: 1, maxLength: 100 })

export const Theme = Type.Object({ primary: Type.Optional(Colour), secondary: Type.Optional(Colour) }, { additionalProperties: false })
/** The 12-column grid of react-grid-layout; widget positions are stored on the widgets. */
export const Layout = Type.Object(
  {
    grid: Type.Optional(Type.Object({ cols: Type.Optional(Type.Literal(12)), rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false })),
    widgets: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 200 })),
  },
  { additionalProperties: true },
)

export const PermissionType = Type.Union([Type.Literal('view'), Type.Literal('edit'), Type.Literal('admin')])
export type PermissionType = Static<typeof PermissionType>

export const CreateDashboardBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
  },
  { additionalProperties: false },
)
export type CreateDashboardBody = Static<typeof CreateDashboardBody>

export const UpdateDashboardBody = Type.Partial(
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Nullable(Type.String({ maxLength: 10_000 })),
    tags: Type.Array(Tag, { maxItems: 50 }),
    theme: Theme,
    filters: Type.Record(Type.String(), Type.Unknown()),
    layout: Layout,
    refreshInterval: Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds; 0 turns auto-refresh off' }),
  }),
  { additionalProperties: false },
)
export type UpdateDashboardBody = Static<typeof UpdateDashboardBody>

export const DashboardListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Name search, typo-tolerant (trigram)' })),
    tag: Type.Optional(Tag),
    owner: Type.Optional(Type.String({ description: "A creator's user id, or me" })),
    starred: Type.Optional(Type.Boolean()),
    deleted: Type.Optional(Type.Boolean({ description: 'List deleted dashboards still restorable (30 days) instead' })),
    sort: Type.Optional(Type.Union([Type.Literal('recent'), Type.Literal('views'), Type.Literal('name'), Type.Literal('updated')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
)
export type DashboardListQuery = Static<typeof DashboardListQuery>

export const DashboardResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  description: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  layout: Type.Unknown(),
  theme: Type.Unknown(),
  filters: Type.Unknown(),
  refreshInterval: Type.Integer(),
  isPublic: Type.Boolean(),
  restricted: Type.Boolean({ description: 'Explicit permissions exist: only those listed (plus owners, admins and the creator) see the dashboard' }),
  publicTokenPrefix: Nullable(Type.String({ description: "The public link's first characters, to recognise it (the token is shown once, when created)" })),
  publicAllowViewerChanges: Type.Boolean({ description: "Whether the public link's viewers may change the time range and filters" }),
  viewCount: Type.Integer(),
  lastViewedAt: Nullable(DateTime),
  createdBy: Nullable(Uuid),
  teamId: Nullable(Uuid),
  starred: Type.Boolean(),
  /** The caller's effective permission on this dashboard. */
  permission: PermissionType,
  deletedAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type DashboardResponse = Static<typeof DashboardResponse>

export const DashboardList = Type.Object({ dashboards: Type.Array(DashboardResponse), total: Type.Integer() })

export const PermissionEntry = Type.Object(
  {
    userId: Type.Optional(Uuid),
    teamId: Type.Optional(Uuid),
    permission: PermissionType,
  },
  { additionalProperties: false },
)
export const PermissionsBody = Type.Object({ permissions: Type.Array(PermissionEntry, { maxItems: 500 }) }, { additionalProperties: false })
export type PermissionsBody = Static<typeof PermissionsBody>
export const PermissionsResponse = Type.Object({
  permissions: Type.Array(Type.Object({ userId: Nullable(Uuid), teamId: Nullable(Uuid), permission: PermissionType, grantedBy: Nullable(Uuid), grantedAt: DateTime })),
})
export type PermissionsResponse = Static<typeof PermissionsResponse>
