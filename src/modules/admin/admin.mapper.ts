import type { AdminUserRow, MailRow } from './admin.repository.ts'
import type { AdminUserResponse, MailMessageResponse } from './admin.schema.ts'

export function toAdminUserResponse(row: AdminUserRow): AdminUserResponse {
  return {
    id: row.id,
    email: row.email,
    name: row.display_name,
    firstName: row.first_name,
    lastName: row.last_name,
    status: row.status,
    emailVerified: row.email_verified_at !== null,
    twoFactorEnabled: row.two_factor_enabled,
    isInstanceAdmin: row.is_instance_admin,
    activeSessions: Number(row.active_sessions),
    lockedUntil: row.locked_until?.toISOString() ?? null,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  }
}

export function toMailMessageResponse(row: MailRow): MailMessageResponse {
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    bodyText: row.body_text,
    template: row.template,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
    lastError: row.last_error,
  }
}
