export interface User {
  id: string
  email: string
  name: string
  firstName: string | null
  lastName: string | null
  avatarUrl: string | null
  timezone: string
  locale: string
  status: string
  emailVerified: boolean
  twoFactorEnabled: boolean
  isInstanceAdmin: boolean
  lastLoginAt?: string | null
  createdAt?: string
}

export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer'

export interface OrganizationMembership {
  id: string
  name: string
  slug: string
  role: OrgRole
  status: string
}

export interface MeResponse {
  user: User
  organizations: OrganizationMembership[]
  csrfToken: string
}

export interface SignedInResponse {
  user?: User
  csrfToken?: string
  mfaRequired?: boolean
}
