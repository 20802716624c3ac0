import { api } from '../../../lib/api.ts'

/** One error group (GET /admin/errors, src/modules/error-logs/error-logs.schema.ts). */
export interface ErrorGroup {
  id: string
  organizationId: string | null
  organizationName: string | null
  level: 'debug' | 'info' | 'warn' | 'error' | 'fatal' | string
  message: string
  errorCode: string | null
  category: string | null
  severity: number | null
  impactLevel: string | null
  source: 'http' | 'job' | string | null
  where: string | null
  occurrenceCount: number
  firstOccurrence: string
  lastOccurrence: string
  resolved: boolean
  resolvedAt: string | null
  reopenedCount: number
  environment: string | null
  serviceVersion: string | null
}

export interface ResolutionHistoryEntry {
  resolvedAt: string | null
  resolvedBy: string | null
  notes: string | null
  reopenedAt: string | null
}

export interface ErrorGroupDetail extends ErrorGroup {
  fingerprint: string | null
  stackTrace: string | null
  context: Record<string, unknown> & { resolutionHistory?: ResolutionHistoryEntry[] }
  toolContext: unknown
  requestId: string | null
  executionId: string | null
  sessionId: string | null
  userId: string | null
  resolvedBy: string | null
  resolvedByEmail: string | null
  resolutionNotes: string | null
}

export interface ErrorPage {
  errors: ErrorGroup[]
  nextCursor: string | null
}

export type ErrorStatusFilter = 'open' | 'resolved' | 'all'
export type ErrorSort = 'last_occurrence' | 'occurrence_count'

export const ERROR_CATEGORIES = ['authentication', 'database', 'external_api', 'validation', 'timeout', 'job', 'internal'] as const

export const CATEGORY_LABELS: Record<string, string> = {
  authentication: 'Authentication',
  database: 'Database',
  external_api: 'External API',
  validation: 'Validation',
  timeout: 'Timeout',
  job: 'Background job',
  internal: 'Internal',
}

export const errorsApi = {
  resolve: (id: string, notes: string) => api.post<ErrorGroupDetail>(`/admin/errors/${id}/resolve`, { notes }),
}
