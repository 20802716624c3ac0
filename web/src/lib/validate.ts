import { ApiError, type FieldErrors } from './api.ts'

/**
 * Client-side checks that mirror the server's, so the common mistakes are caught before
 * a round trip and reported exactly like server errors (next to the field).
 */
export type Rule = [field: string, ok: boolean, message: string]

export function check(rules: Rule[]): void {
  const errors: FieldErrors = {}
  for (const [field, ok, message] of rules) {
    if (!ok && errors[field] === undefined) {
      errors[field] = message
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new ApiError(0, 'validation_failed', 'Some fields need your attention.', errors)
  }
}

export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim())
}

/** The instance default (auth.password_min_length); the server enforces the configured value. */
export const MIN_PASSWORD_LENGTH = 10
/** The lowest minimum an administrator can configure: shorter is refused without asking the server. */
export const PASSWORD_FLOOR = 8

/** A new password is long enough: `minimum` is the instance's configured length when known, never below the floor. */
export function newPasswordRule(field: string, password: string, minimum = PASSWORD_FLOOR): Rule {
  const length = Math.max(PASSWORD_FLOOR, minimum)
  return [field, password.length >= length, `Use at least ${length} characters`]
}
