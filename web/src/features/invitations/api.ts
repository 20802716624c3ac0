import { api } from '../../lib/api.ts'
import type { OrgRole } from '../auth/types.ts'

export interface PublicInvitation {
  organizationName: string
  email: string
  role: OrgRole
  expiresAt: string
}

export const invitationsApi = {
  accept: (token: string) => api.post<{ organizationId: string }>(`/invitations/${encodeURIComponent(token)}/accept`),
}
