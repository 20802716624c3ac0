import { api, ApiError, postLines, withQuery } from '../../lib/api.ts'
import type { SeriesAnswer } from '../explore/chartOption.ts'

/** Shapes of the dashboards API (src/modules/dashboards, issue 5 contracts). */

export type WidgetType = 'line_chart' | 'area_chart' | 'bar_chart' | 'pie_chart' | 'table' | 'stat_card' | 'text' | 'image'
export type Permission = 'view' | 'edit' | 'admin'
export type Aggregation = 'sum' | 'avg' | 'count' | 'min' | 'max'

export interface GridPosition {
  x: number
  y: number
  w: number
  h: number
}

export type DataQuery =
  | { source: 'metric'; metricId: string; aggregation?: Aggregation; bucket?: string; groupBy?: string; filters?: Record<string, string>; limit?: number }
  | { source: 'pipeline'; pipelineId: string; field?: string; aggregation?: Aggregation; bucket?: string; groupBy?: string; limit?: number }
  | { source: 'query'; queryId: string; params?: Record<string, string | number | boolean | string[]> }

export interface Dashboard {
  id: string
  name: string
  slug: string
  description: string | null
  tags: string[]
  filters: Record<string, unknown> | null
  refreshInterval: number
  isPublic: boolean
  /** Explicit permissions exist: not everyone in the organization sees it. */
  restricted: boolean
  publicTokenPrefix?: string | null
  viewCount: number
  lastViewedAt: string | null
  createdBy: string | null
  starred: boolean
  permission: Permission
  deletedAt: string | null
  createdAt: string
  updatedAt: string
  version?: number
  latestVersion?: number
}

/** One explicit grant (GET/PUT …/permissions): exactly one of userId and teamId is set. */
export interface PermissionGrant {
  userId: string | null
  teamId: string | null
  permission: Permission
  grantedBy: string | null
  grantedAt: string
}

export interface Widget {
  id: string
  type: WidgetType
  title: string
  description: string | null
  position: GridPosition
  config: Record<string, unknown>
  dataQuery: DataQuery | null
  cacheDuration?: number
}

export interface TableAnswer {
  columns: Array<{ name: string; type: string }>
  rows: Array<Record<string, unknown>>
  rowCount: number
  truncated: boolean
  asOf: string
  cached?: boolean
}

/**
 * A stat card's figure (server: widget-data/stat-comparison.ts): the aggregation over the range
 * [from, to) and over the same length just before it; previous is null when that had no data.
 */
export interface StatComparison {
  value: number | null
  previous: number | null
  from: string
  to: string
  previousFrom: string
  previousTo: string
}

/** One widget's data; `key` is the widget id in the app and the opaque key on public pages. */
export type WidgetData =
  | { key: string; status: 'ok'; series?: SeriesAnswer; table?: TableAnswer; comparison?: StatComparison }
  | { key: string; status: 'error'; error: { code: string; message: string } }
  | { key: string; status: 'static' }

interface RawDataItem {
  id?: string
  key?: string
  status: 'ok' | 'error' | 'static'
  series?: SeriesAnswer
  table?: TableAnswer
  comparison?: StatComparison
  error?: { code: string; message: string }
}

export interface DashboardData {
  asOf: string
  from: string
  to: string
  widgets: WidgetData[]
}

/** The app's items carry `id`, public ones `key`: both become `key`. */
export function normalizeData(raw: { asOf: string; from: string; to: string; widgets: RawDataItem[] }): DashboardData {
  return {
    asOf: raw.asOf,
    from: raw.from,
    to: raw.to,
    widgets: raw.widgets.map((item): WidgetData => {
      const key = item.key ?? item.id ?? ''
      if (item.status === 'error') return { key, status: 'error', error: item.error ?? { code: 'unknown', message: 'This widget could not be loaded.' } }
      if (item.status === 'static') return { key, status: 'static' }
      return { key, status: 'ok', ...(item.series ? { series: item.series } : {}), ...(item.table ? { table: item.table } : {}), ...(item.comparison ? { comparison: item.comparison } : {}) }
    }),
  }
}

export interface VersionSummary {
  version: number
  summary: string | null
  author: { id: string; name: string } | null
  createdAt: string
  widgetCount: number
}

export interface VersionDiff {
  settings: Array<{ field: string; from: unknown; to: unknown }>
  widgetsAdded: Array<{ id: string; title: string; type: string }>
  widgetsRemoved: Array<{ id: string; title: string; type: string }>
  widgetsChanged: Array<{ id: string; title: string; fields: string[] }>
  layoutMoves: Array<{ id: string; title: string; from: GridPosition; to: GridPosition }>
}

export interface VersionDetail extends VersionSummary {
  diff: VersionDiff
}

export interface DocumentWidget {
  id?: string
  type: WidgetType
  title: string
  description?: string | null
  position: GridPosition
  config?: Record<string, unknown>
  dataQuery?: DataQuery | null
}

export interface SavedDocument {
  dashboard: Dashboard
  widgets: Widget[]
  version: number
}

export interface PublicWidget {
  key: string
  type: WidgetType
  title: string
  description: string | null
  position: GridPosition
  display: Record<string, unknown>
}

export interface PublicPayload {
  name: string
  description: string | null
  refreshInterval: number
  allowViewerChanges: boolean
  range: { from: string; to: string } | { relative: string }
  filters: Record<string, string>
  widgets: PublicWidget[]
}

export interface DataRequest {
  from: string
  to: string
  tz: string
  filters: Record<string, string>
}

function dataQuery(request: DataRequest) {
  return { from: request.from, to: request.to, tz: request.tz, filters: JSON.stringify(request.filters) }
}

const base = (orgId: string) => `/orgs/${orgId}/dashboards`

export const dashboardsApi = {
  create: (orgId: string, body: { name: string; description?: string | null; tags?: string[] }) => api.post<Dashboard>(base(orgId), body),
  update: (orgId: string, id: string, body: Partial<Pick<Dashboard, 'name' | 'description' | 'tags' | 'refreshInterval'>>) => api.patch<Dashboard>(`${base(orgId)}/${id}`, body),
  remove: (orgId: string, id: string) => api.delete(`${base(orgId)}/${id}`),
  restore: (orgId: string, id: string) => api.post<Dashboard>(`${base(orgId)}/${id}/restore`),
  duplicate: (orgId: string, id: string) => api.post<Dashboard>(`${base(orgId)}/${id}/duplicate`),
  star: (orgId: string, id: string, starred: boolean) => (starred ? api.put<unknown>(`${base(orgId)}/${id}/star`) : api.delete<unknown>(`${base(orgId)}/${id}/star`)),
  widgets: (orgId: string, id: string) => api.get<{ widgets: Widget[] }>(`${base(orgId)}/${id}/widgets`),
  data: async (orgId: string, id: string, request: DataRequest, signal?: AbortSignal) =>
    normalizeData(await api.get(`${base(orgId)}/${id}/data`, dataQuery(request), { signal })),
  saveDocument: (orgId: string, id: string, body: Record<string, unknown>) => api.put<SavedDocument>(`${base(orgId)}/${id}/document`, body),
  versions: (orgId: string, id: string) => api.get<{ versions: VersionSummary[]; total: number }>(`${base(orgId)}/${id}/versions`, { limit: 50 }),
  version: (orgId: string, id: string, version: number) => api.get<VersionDetail>(`${base(orgId)}/${id}/versions/${version}`),
  restoreVersion: (orgId: string, id: string, version: number) => api.post<SavedDocument>(`${base(orgId)}/${id}/versions/${version}/restore`),
  permissions: (orgId: string, id: string) => api.get<{ permissions: PermissionGrant[] }>(`${base(orgId)}/${id}/permissions`),
  /** Replaces the whole list; an empty list opens the dashboard to every member again. */
  setPermissions: (orgId: string, id: string, permissions: Array<{ userId: string; permission: Permission } | { teamId: string; permission: Permission }>) =>
    api.put<{ permissions: PermissionGrant[] }>(`${base(orgId)}/${id}/permissions`, { permissions }),
  clearPermissions: (orgId: string, id: string) => api.delete(`${base(orgId)}/${id}/permissions`),
  createPublicLink: (orgId: string, id: string, allowViewerChanges: boolean) =>
    api.post<{ token: string; url: string; prefix: string; allowViewerChanges: boolean }>(`${base(orgId)}/${id}/public-link`, { allowViewerChanges }),
  revokePublicLink: (orgId: string, id: string) => api.delete(`${base(orgId)}/${id}/public-link`),
  embedUrl: (orgId: string, id: string, body: { expiresInSeconds?: number; filters?: Record<string, string>; from?: string; to?: string }) =>
    api.post<{ url: string; expiresAt: string }>(`${base(orgId)}/${id}/embed-url`, body),
  /** compare: a stat card's preview also answers its comparison (the figure against the period before). */
  preview: (orgId: string, body: { dataQuery: DataQuery; from: string; to: string; tz: string; filters?: Record<string, string>; compare?: boolean }) =>
    api.post<RawDataItem>(`/orgs/${orgId}/widgets/preview`, body),
  /** Loads the demo, reporting each loaded day (the server streams its progress). */
  demo: async (onProgress: (progress: DemoProgress) => void): Promise<DemoResult> => {
    let result: DemoResult | undefined
    await postLines('/demo', {}, (line) => {
      const message = line as { progress?: DemoProgress; result?: DemoResult; error?: { code: string; message: string } }
      if (message.progress) onProgress(message.progress)
      if (message.result) result = message.result
      if (message.error) throw new ApiError(500, message.error.code, message.error.message)
    })
    if (!result) throw new ApiError(0, 'network_error', 'The connection closed before the demo finished loading. Try again.')
    return result
  },
}

export interface DemoProgress {
  day: number
  days: number
  metricPoints: number
  pipelineRecords: number
}

export interface DemoResult {
  organizationId: string
  organizationSlug: string
  dashboards: Array<{ id: string; name: string }>
}

/** The file-download endpoints of (F): plain links, so the browser saves the file. */
export function widgetExportUrl(orgId: string, dashboardId: string, widgetId: string, format: 'csv' | 'xlsx', request: DataRequest): string {
  return withQuery(`/api/v1${base(orgId)}/${dashboardId}/widgets/${widgetId}/export`, { format, ...dataQuery(request) })
}

export function pdfExportUrl(orgId: string, dashboardId: string, request: DataRequest): string {
  return withQuery(`/api/v1${base(orgId)}/${dashboardId}/export.pdf`, dataQuery(request))
}

/** Public (`/public/:token`) and embed (`/embed/:token`) pages read the same shapes from two roots. */
export function publicApi(kind: 'public' | 'embed', token: string) {
  const root = kind === 'public' ? `/public/dashboards/${encodeURIComponent(token)}` : `/embed/${encodeURIComponent(token)}`
  return {
    payload: () => api.get<PublicPayload>(root, undefined, { quiet401: true }),
    /** Locked views send only the time zone: the owner's range and filters apply (others answer 403). */
    data: async (request: DataRequest, locked: boolean, signal?: AbortSignal) =>
      normalizeData(await api.get(`${root}/data`, locked ? { tz: request.tz } : dataQuery(request), { signal, quiet401: true })),
  }
}
