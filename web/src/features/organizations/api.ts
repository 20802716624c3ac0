import { api } from '../../lib/api.ts'
import type { OrgRole } from '../auth/types.ts'

export interface Organization {
  id: string
  name: string
  slug: string
  description: string | null
  status: string
  role: OrgRole
  createdAt: string
}

export interface Member {
  userId: string
  email: string
  name: string
  role: OrgRole
  status: string
  invitedAt: string | null
  joinedAt: string | null
}

export interface Invitation {
  id: string
  email: string
  role: OrgRole
  status: 'pending' | 'accepted' | 'revoked' | 'expired'
  createdAt: string
  expiresAt: string
}

export type AddMemberResult = { status: 'added'; member: Member } | { status: 'invited'; invitation: { id: string; email: string; role: OrgRole; expiresAt: string } }

export const ROLE_OPTIONS: Array<{ value: OrgRole; label: string; description: string }> = [
  { value: 'viewer', label: 'Viewer', description: 'Sees dashboards and data' },
  { value: 'member', label: 'Member', description: 'Creates and edits content' },
  { value: 'admin', label: 'Admin', description: 'Manages members, teams and API keys' },
  { value: 'owner', label: 'Owner', description: 'Everything, including deleting the organization' },
]

/** List routes answer `{ <key>: [...] }`; tolerate a bare array too. */
export function listOf<T>(data: unknown, key: string): T[] {
  if (Array.isArray(data)) {
    return data as T[]
  }
  if (data && typeof data === 'object' && Array.isArray((data as Record<string, unknown>)[key])) {
    return (data as Record<string, T[]>)[key] ?? []
  }
  return []
}

export const orgApi = {
  create: (body: { name: string; slug: string }) => api.post<Organization | { organization: Organization }>('/orgs', body),
  update: (orgId: string, body: { name?: string; description?: string | null }) => api.patch<Organization>(`/orgs/${orgId}`, body),
  remove: (orgId: string) => api.delete(`/orgs/${orgId}`),
  addMember: (orgId: string, body: { email: string; role: OrgRole }) => api.post<AddMemberResult>(`/orgs/${orgId}/members`, body),
  updateMember: (orgId: string, userId: string, body: { role?: OrgRole; status?: 'active' | 'suspended' }) => api.patch<Member>(`/orgs/${orgId}/members/${userId}`, body),
  removeMember: (orgId: string, userId: string) => api.delete(`/orgs/${orgId}/members/${userId}`),
  revokeInvitation: (orgId: string, invitationId: string) => api.delete(`/orgs/${orgId}/invitations/${invitationId}`),
}

export function organizationFrom(result: Organization | { organization: Organization }): Organization {
  return 'organization' in result ? result.organization : result
}

export function canManage(role: OrgRole | undefined): boolean {
  return role === 'owner' || role === 'admin'
}
