import { api } from '../../lib/api.ts'

export type TeamRole = 'maintainer' | 'member'

export interface Team {
  id: string
  name: string
  description: string | null
  memberCount: number
  createdAt: string
  updatedAt: string
}

export interface TeamMember {
  userId: string
  email: string
  name: string
  role: TeamRole
  joinedAt: string
}

export const teamsApi = {
  create: (orgId: string, body: { name: string; description?: string | null }) => api.post<Team>(`/orgs/${orgId}/teams`, body),
  update: (orgId: string, teamId: string, body: { name?: string; description?: string | null }) => api.patch<Team>(`/orgs/${orgId}/teams/${teamId}`, body),
  remove: (orgId: string, teamId: string) => api.delete(`/orgs/${orgId}/teams/${teamId}`),
  addMember: (orgId: string, teamId: string, body: { userId: string; role: TeamRole }) => api.post<TeamMember>(`/orgs/${orgId}/teams/${teamId}/members`, body),
  removeMember: (orgId: string, teamId: string, userId: string) => api.delete(`/orgs/${orgId}/teams/${teamId}/members/${userId}`),
}

/** GET /teams/:id may answer the team alone or `{ team, members }`. */
export function teamFrom(data: Team | { team: Team }): Team {
  return 'team' in data ? data.team : data
}
