import type { OrgRole } from '../../platform/auth.ts'
import type { InvitationRow, MemberRow, OrganizationRow } from './organizations.repository.ts'
import type { InvitationResponse, MemberResponse, OrganizationResponse } from './organizations.schema.ts'
import { asOrgRole } from './org-actor.ts'

function jsonObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

export function toOrganizationResponse(row: OrganizationRow, role: OrgRole): OrganizationResponse {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    logoUrl: row.logo_url,
    websiteUrl: row.website_url,
    industry: row.industry,
    size: row.size,
    billingEmail: row.billing_email,
    settings: jsonObject(row.settings),
    subscriptionTier: row.subscription_tier,
    status: row.status,
    role,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

export function toMemberResponse(row: MemberRow): MemberResponse {
  return {
    userId: row.user_id,
    email: row.email,
    name: row.display_name,
    role: asOrgRole(row.role),
    status: row.status,
    invitedAt: row.invited_at?.toISOString() ?? null,
    joinedAt: row.joined_at?.toISOString() ?? null,
  }
}

export function invitationStatus(row: Pick<InvitationRow, 'accepted_at' | 'revoked_at' | 'expires_at'>, now = Date.now()): InvitationResponse['status'] {
  if (row.accepted_at) {
    return 'accepted'
  }
  if (row.revoked_at) {
    return 'revoked'
  }
  return row.expires_at.getTime() <= now ? 'expired' : 'pending'
}

export function toInvitationResponse(row: InvitationRow): InvitationResponse {
  return {
    id: row.id,
    email: row.email,
    role: asOrgRole(row.role),
    status: invitationStatus(row),
    invitedBy: row.invited_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    acceptedAt: row.accepted_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  }
}
