import { api } from '../../lib/api.ts'

export type ApiKeyScope = 'ingest' | 'read' | 'write' | 'admin'

export interface ApiKey {
  id: string
  name: string
  prefix: string
  scopes: ApiKeyScope[]
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  revokedAt: string | null
  createdBy: string
  createdByName: string | null
}

export interface CreatedApiKey extends ApiKey {
  key: string
}

export const SCOPES: Array<{ value: ApiKeyScope; label: string; description: string }> = [
  { value: 'ingest', label: 'Ingest', description: 'Send events and data points' },
  { value: 'read', label: 'Read', description: 'Read dashboards, queries and data' },
  { value: 'write', label: 'Write', description: 'Create and change dashboards and queries' },
  { value: 'admin', label: 'Admin', description: 'Everything, including the audit log; use sparingly' },
]

export const apiKeysApi = {
  create: (orgId: string, body: { name: string; scopes: ApiKeyScope[]; expiresAt?: string }) => api.post<CreatedApiKey>(`/orgs/${orgId}/api-keys`, body),
  revoke: (orgId: string, keyId: string) => api.delete(`/orgs/${orgId}/api-keys/${keyId}`),
}
