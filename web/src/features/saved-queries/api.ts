import type { OrgRole } from '../auth/types.ts'

/** Saved queries (GET|POST /orgs/{orgId}/queries, …/{id}, …/{id}/run, …/preview): the shapes the pages use. */

export type ParameterType = 'text' | 'number' | 'date' | 'list'
export type ParameterValue = string | number | Array<string | number>

export interface ParameterDefinition {
  name: string
  type: ParameterType
  default?: ParameterValue | null
  required?: boolean
  label?: string
}

export interface SavedQuery {
  id: string
  name: string
  description: string | null
  dataSourceId: string
  queryText: string
  parameters: ParameterDefinition[]
  resultColumns: Array<{ name: string; type: string }>
  cacheDuration: number
  rowLimit: number
  timeoutMs: number
  lastRunAt: string | null
  createdBy: string | null
  createdAt: string
  updatedAt: string
}

export interface RunResult {
  columns: Array<{ name: string; type: string }>
  rows: Array<Record<string, unknown>>
  rowCount: number
  truncated: boolean
  durationMs: number
  cached: boolean
  asOf: string
}

export interface SqlSource {
  id: string
  name: string
  type: string
}

/** Only PostgreSQL and MySQL sources run saved queries. */
export function isSqlSource(source: { type: string }): boolean {
  return source.type === 'postgresql' || source.type === 'mysql'
}

/** Owners, admins and members write SQL; viewers read and run saved queries. */
export function canWriteQueries(role: OrgRole | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'member'
}

/** "5 min", "1 h", "off": a cache duration in seconds as the list shows it. */
export function formatCacheDuration(seconds: number): string {
  if (seconds <= 0) return 'Off'
  if (seconds % 3600 === 0) return `${seconds / 3600} h`
  if (seconds % 60 === 0) return `${seconds / 60} min`
  return `${seconds} s`
}
