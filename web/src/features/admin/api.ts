import { api } from '../../lib/api.ts'

export interface Setting {
  key: string
  category: string
  name: string
  description: string | null
  value: unknown
  type: 'string' | 'integer' | 'decimal' | 'boolean' | 'json' | 'array' | string
  defaultValue: unknown
  allowedValues: string[] | null
  min: number | null
  max: number | null
  validationRules: unknown
  isPublic: boolean
  isReadonly: boolean
  requiresRestart: boolean
  environment: string
  lastModifiedBy: string | null
  lastModifiedReason: string | null
  updatedAt: string
}

export interface AdminUser {
  id: string
  email: string
  name: string
  status: string
  emailVerified: boolean
  twoFactorEnabled: boolean
  isInstanceAdmin: boolean
  activeSessions: number
  lockedUntil: string | null
  lastLoginAt: string | null
  createdAt: string
}

export interface MailMessage {
  id: string
  to: string
  subject: string
  bodyText: string
  template: string
  status: string
  attempts: number
  createdAt: string
  sentAt: string | null
  lastError: string | null
}

export const adminApi = {
  updateSetting: (key: string, body: { value: unknown; reason?: string }) => api.patch<Setting>(`/admin/settings/${encodeURIComponent(key)}`, body),
  updateUser: (userId: string, status: 'active' | 'suspended') => api.patch<AdminUser>(`/admin/users/${userId}`, { status }),
}

export interface AdminOrganization {
  id: string
  name: string
  slug: string
  status: string
  storageUsedGb: number
  storageLimitGb: number | null
  createdAt: string
}

export const adminOrganizationsApi = {
  update: (orgId: string, body: { storageLimitGb: number | null }) => api.patch<AdminOrganization>(`/admin/organizations/${orgId}`, body),
}

/** One period of the series query cache figures (GET /admin/storage, storage.schema.ts). */
export interface CachePeriod {
  period: '1h' | '24h'
  hits: number
  misses: number
  /** 0–1; null when no series query ran. */
  hitRate: number | null
  medianMs: number | null
  p95Ms: number | null
}

/** GET /admin/storage (src/modules/storage/storage.schema.ts). */
export interface StorageOverview {
  partitions: Array<{ table: string; partition: string; rangeStart: string; rangeEnd: string; granularity: string; state: string; totalBytes: number | null; rowsEstimate: number | null }>
  segments: Array<{ day: string; series: number; points: number; compressedBytes: number; ratio: number }>
  retentionPolicies: Array<{ tableName: string; relation: string | null; retentionDays: number; archiveBeforeDelete: boolean; cleanupEnabled: boolean; lastCleanup: string | null; lastCleanupCount: number; lastCleanupDurationMs: number | null; tableExists: boolean }>
  runs: Array<{ id: number; job: string; startedAt: string; durationMs: number; outcome: string; error: string | null }>
  rollup?: { watermark: string | null; lagSeconds: number | null }
  seriesCache: { periods: CachePeriod[]; entries: number; liveEntries: number; bytes: number }
}
