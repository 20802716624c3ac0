import { api } from '../../lib/api.ts'
import type { OrgRole } from '../auth/types.ts'

export type DataSourceType = 'postgresql' | 'mysql' | 'api' | 'csv' | 'push' | 'mongodb' | 'bigquery'
export type CreatableType = 'postgresql' | 'mysql' | 'api' | 'push'
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown'

export interface DataSourceFile {
  id: string
  name: string
  sizeBytes: number
  sha256: string
  rowCount: number
  delimiter: string
  columns: Array<{ name: string; type: string }>
  createdAt: string
}

export interface DataSource {
  id: string
  name: string
  description: string | null
  type: DataSourceType
  config: Record<string, unknown>
  hasCredentials: boolean
  healthStatus: HealthStatus
  lastHealthCheck: string | null
  lastHealthError: string | null
  schemaMetadata: unknown
  file: DataSourceFile | null
  createdBy: string | null
  createdAt: string
  updatedAt: string
}

export type TestResult = { ok: true; latencyMs: number; details: Record<string, unknown> } | { ok: false; latencyMs: number; error: string }

/** What the server sends back instead of a stored secret. */
export const MASK = '********'

export const TYPE_LABELS: Record<DataSourceType, string> = {
  postgresql: 'PostgreSQL',
  mysql: 'MySQL / MariaDB',
  api: 'HTTP JSON API',
  csv: 'CSV file',
  push: 'Push (ingest API)',
  mongodb: 'MongoDB',
  bigquery: 'BigQuery',
}

export const HEALTH: Record<HealthStatus, { label: string; tone: string }> = {
  healthy: { label: 'Healthy', tone: 'success' },
  degraded: { label: 'Degraded', tone: 'warning' },
  unhealthy: { label: 'Unhealthy', tone: 'danger' },
  unknown: { label: 'Unknown', tone: 'muted' },
}

/** Owners, admins and members create and change data sources; viewers only look. */
export function canWrite(role: OrgRole | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'member'
}

const base = (orgId: string) => `/orgs/${orgId}/data-sources`

export const dataSourcesApi = {
  create: (orgId: string, body: { name: string; description?: string | null; type: CreatableType; config?: Record<string, unknown> }) => api.post<DataSource>(base(orgId), body),
  uploadCsv: (orgId: string, file: File, query: { name?: string; description?: string; delimiter?: string }) => {
    const form = new FormData()
    form.append('file', file, file.name)
    return api.upload<DataSource & { preview: Array<Record<string, unknown>> }>(`${base(orgId)}/csv`, form, { query })
  },
  update: (orgId: string, id: string, body: { name?: string; description?: string | null; config?: Record<string, unknown> }) => api.patch<DataSource>(`${base(orgId)}/${id}`, body),
  remove: (orgId: string, id: string) => api.delete(`${base(orgId)}/${id}`),
  test: (orgId: string, id: string) => api.post<TestResult>(`${base(orgId)}/${id}/test`),
  discover: (orgId: string, id: string) => api.post<DataSource>(`${base(orgId)}/${id}/discover`),
}
