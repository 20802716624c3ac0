import { ApiError, type FieldErrors } from './api.ts'

const LOCATIONS = new Set(['body', 'querystring', 'query', 'params', 'headers'])

/** "body.config.host" → "config.host", "/config/port" → "config.port"; "mappings[0].path" stays as it is. */
export function fieldPath(field: string): string {
  const parts = field.split(/[./]/).filter((part) => part !== '')
  if (parts.length > 1 && LOCATIONS.has(parts[0] ?? '')) {
    parts.shift()
  }
  return parts.join('.')
}

/**
 * The same error with its field errors keyed by the whole path of each detail, for forms
 * whose inputs are named after nested settings (`name="config.host"`). useSubmit then puts
 * each message under its input; anything else passes through unchanged.
 */
export function withFieldPaths(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.details.length === 0) {
    return error
  }
  const errors: FieldErrors = {}
  for (const detail of error.details) {
    const path = fieldPath(detail.field)
    if (path !== '' && errors[path] === undefined) {
      errors[path] = detail.message
    }
  }
  return new ApiError(error.status, error.code, error.message, errors, error.details)
}

/** Runs `action`, rethrowing a failure with path-keyed field errors (see withFieldPaths). */
export async function keyedByPath<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    throw withFieldPaths(error)
  }
}
