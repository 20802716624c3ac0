import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

export type SecurityEventType =
  | 'login_success'
  | 'login_failure'
  | 'account_locked'
  | 'logout'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_verified'
  | 'two_factor_enabled'
  | 'two_factor_disabled'
  | 'two_factor_failure'
  | 'backup_codes_regenerated'
  | 'api_key_created'
  | 'api_key_revoked'
  | 'session_revoked'
  | 'user_suspended'
  | 'setup_completed'

const SEVERITY: Record<SecurityEventType, 'info' | 'low' | 'medium' | 'high'> = {
  login_success: 'info',
  login_failure: 'medium',
  account_locked: 'high',
  logout: 'info',
  password_changed: 'medium',
  password_reset_requested: 'low',
  password_reset: 'medium',
  email_verified: 'info',
  two_factor_enabled: 'medium',
  two_factor_disabled: 'high',
  two_factor_failure: 'medium',
  backup_codes_regenerated: 'medium',
  api_key_created: 'medium',
  api_key_revoked: 'medium',
  session_revoked: 'low',
  user_suspended: 'high',
  setup_completed: 'high',
}

/**
 * Appends a security event to audit.audit_log through the SECURITY DEFINER writer (the
 * runtime role cannot write the log directly). Run it in the transaction of the change,
 * or on its own for failures whose transaction is rolled back.
 */
export async function recordSecurityEvent(
  db: Db,
  request: FastifyRequest,
  event: { type: SecurityEventType; userId?: string | null; email?: string | null; orgId?: string | null; details?: Record<string, unknown>; status?: number },
): Promise<void> {
  await sql`select private.log_security_event(
      ${event.type}, ${event.type}, ${SEVERITY[event.type]}, ${event.userId ?? null}::uuid, ${event.email ?? null},
      ${event.orgId ?? null}::uuid, ${JSON.stringify(event.details ?? {})}::jsonb, ${request.method},
      ${request.url.split('?')[0] ?? ''}, ${event.status ?? null}::int)`.execute(db)
}
