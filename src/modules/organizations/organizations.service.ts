import type { Updateable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { revokeOrganizationApiKeys } from '../api-keys/api-keys.service.ts'
import { toOrganizationResponse } from './organizations.mapper.ts'
import {
  findOrganization,
  insertOrganization,
  listOrganizationsOfUser,
  revokePendingInvitations,
  softDeleteOrganization,
  updateOrganization as updateOrganizationRow,
} from './organizations.repository.ts'
import type { CreateOrganizationBody, OrganizationResponse, UpdateOrganizationBody } from './organizations.schema.ts'
import { asOrgRole, type OrgActor } from './org-actor.ts'

function isSlugConflict(error: unknown): boolean {
  const pg = error as { code?: string; constraint?: string }
  return pg.code === '23505' && (pg.constraint === undefined || pg.constraint.includes('slug'))
}

/** The caller's active organizations, each with the caller's role. */
export async function listMyOrganizations(db: Db, userId: string): Promise<OrganizationResponse[]> {
  const rows = await listOrganizationsOfUser(db, userId)
  return rows.map((row) => toOrganizationResponse(row, asOrgRole(row.role)))
}

/**
 * Creates an organization owned by the current user (the transaction's app.user_id).
 * A taken slug answers 409 slug_taken, also when the holder is a deleted organization.
 */
export async function createOrganization(db: Db, input: CreateOrganizationBody): Promise<OrganizationResponse> {
  let id: string
  try {
    id = await insertOrganization(db, { name: input.name.trim(), slug: input.slug, description: input.description ?? null })
  } catch (error) {
    if (isSlugConflict(error)) {
      throw new AppError('slug_taken', 409, `The slug "${input.slug}" is already taken; choose another`, {
        cause: error,
        details: [{ field: 'slug', message: 'is already taken' }],
      })
    }
    throw error
  }
  const row = await findOrganization(db, id)
  if (!row) {
    throw new Error('the new organization is not visible to its owner')
  }
  return toOrganizationResponse(row, 'owner')
}

export async function getOrganization(db: Db, actor: OrgActor): Promise<OrganizationResponse> {
  const row = await findOrganization(db, actor.orgId)
  if (!row) {
    throw notFound('organization')
  }
  return toOrganizationResponse(row, actor.role)
}

/** Owners and admins edit the profile; `settings` replaces the stored object. */
export async function updateOrganization(db: Db, actor: OrgActor, input: UpdateOrganizationBody): Promise<OrganizationResponse> {
  const values: Updateable<DB['app.organizations']> = {}
  if (input.name !== undefined) {
    values.name = input.name.trim()
  }
  if (input.description !== undefined) {
    values.description = input.description
  }
  if (input.logoUrl !== undefined) {
    values.logo_url = input.logoUrl
  }
  if (input.websiteUrl !== undefined) {
    values.website_url = input.websiteUrl
  }
  if (input.industry !== undefined) {
    values.industry = input.industry
  }
  if (input.size !== undefined) {
    values.size = input.size
  }
  if (input.billingEmail !== undefined) {
    values.billing_email = input.billingEmail
  }
  if (input.settings !== undefined) {
    values.settings = JSON.stringify(input.settings)
  }
  const row = await updateOrganizationRow(db, actor.orgId, values)
  if (!row) {
    throw notFound('organization')
  }
  return toOrganizationResponse(row, actor.role)
}

/**
 * Soft-deletes the organization (owners only; the route checks the role). Pending
 * invitations and API keys are revoked first: afterwards the org's own policies no longer
 * answer for it (private.current_org_role ignores deleted organizations).
 */
export async function deleteOrganization(db: Db, actor: OrgActor): Promise<void> {
  await revokePendingInvitations(db, actor.orgId)
  await revokeOrganizationApiKeys(db, actor, {})
  if (!(await softDeleteOrganization(db, actor.orgId))) {
    throw notFound('organization')
  }
}
