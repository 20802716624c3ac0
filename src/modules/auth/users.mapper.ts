import type { Selectable } from 'kysely'
import type { DB } from '../../platform/db.ts'
import type { UserResponse } from './auth.schema.ts'

export function toUserResponse(row: Selectable<DB['auth.users']>, isInstanceAdmin: boolean): UserResponse {
  return {
    id: row.id,
    email: row.email,
    name: row.display_name,
    firstName: row.first_name,
    lastName: row.last_name,
    avatarUrl: row.avatar_url,
    timezone: row.timezone,
    locale: row.locale,
    status: row.status,
    emailVerified: row.email_verified_at !== null,
    twoFactorEnabled: row.two_factor_enabled,
    isInstanceAdmin,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  }
}
