/**
 * One error type for everything a client can cause. `code` is a stable snake_case string
 * from a closed union; the message is for people; `cause` is logged, never serialized.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'account_locked'
  | 'account_suspended'
  | 'email_not_verified'
  | 'mfa_required'
  | 'invalid_mfa_code'
  | 'mfa_not_enabled'
  | 'mfa_already_enabled'
  | 'session_expired'
  | 'csrf_failed'
  | 'forbidden'
  | 'insufficient_scope'
  | 'not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'email_taken'
  | 'slug_taken'
  | 'already_member'
  | 'last_owner'
  | 'registration_closed'
  | 'setup_completed'
  | 'setup_token_invalid'
  | 'invalid_token'
  | 'weak_password'
  | 'wrong_password'
  | 'invitation_email_mismatch'
  | 'setting_readonly'
  | 'invalid_setting_value'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'service_unavailable'
  | 'outbound_blocked'
  | 'outbound_failed'
  | 'internal_error'
  | 'invalid_mapping'
  | 'pipeline_paused'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_flight'
  | 'storage_limit_exceeded'
  | 'invalid_time_range'
  | 'invalid_time_zone'
  | 'metric_inactive'
  | 'timestamp_out_of_range'
  | 'restore_window_expired'
  | 'invalid_query_parameter'
  | 'query_failed'
  | 'query_timeout'
  | 'query_not_read_only'
  | 'source_not_allowed'
  | 'invalid_filters'
  | 'public_dashboard_not_found'
  | 'public_view_locked'
  | 'embed_invalid'
  | 'embed_expired'
  | 'version_conflict'
  | 'version_not_restorable'
  | 'unresolved_references'
  | 'invalid_dashboard_document'
  | 'widget_has_no_data'
  | 'widget_data_error'
  | 'backup_in_progress'
  | 'backup_unavailable'

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
    readonly options: { cause?: unknown; details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause })
  }

  get details(): unknown {
    return this.options.details
  }

  /** Server faults are worth alerting on; client mistakes are not. */
  get isReportable(): boolean {
    return this.statusCode >= 500
  }
}

export const notFound = (what = 'resource') => new AppError('not_found', 404, `The ${what} does not exist or you do not have access to it`)
export const forbidden = (message = 'Your role does not allow this action') => new AppError('forbidden', 403, message)
export const unauthenticated = (message = 'Sign in or provide an API key') => new AppError('unauthenticated', 401, message)
