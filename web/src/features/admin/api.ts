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
