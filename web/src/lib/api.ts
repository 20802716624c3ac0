/**
 * The one way the SPA talks to /api/v1. The session cookie is HttpOnly, so the client
 * only has to add the CSRF headers on state-changing requests (X-CSRF-Token from
 * login/setup/GET /me, and X-Requested-With as the fallback the server also accepts)
 * and turn `{ error: { code, message, details } }` bodies into an ApiError.
 */

export const API_BASE = '/api/v1'

export interface FieldErrors {
  [field: string]: string
}

export interface ErrorDetail {
  field: string
  message: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  /** Keyed by the field name the form uses ("email"), derived from details[].field ("body.email"). */
  readonly fieldErrors: FieldErrors
  /** details[] as the server sent them, for forms whose fields are nested ("body.config.host"). */
  readonly details: ErrorDetail[]

  constructor(status: number, code: string, message: string, fieldErrors: FieldErrors = {}, details: ErrorDetail[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fieldErrors = fieldErrors
    this.details = details
  }

  get hasFieldErrors(): boolean {
    return Object.keys(this.fieldErrors).length > 0
  }
}

const LOCATION_PREFIXES = ['body', 'querystring', 'query', 'params', 'headers']

/**
 * "body.email" → "email", "body.scopes.0" → "scopes", "querystring.from" → "from",
 * "/name" → "name". The server prefixes the request part; forms only know field names.
 */
export function normalizeField(field: string): string {
  const parts = field.split(/[./]/).filter((part) => part !== '')
  if (parts.length > 1 && LOCATION_PREFIXES.includes(parts[0] ?? '')) {
    parts.shift()
  }
  return parts[0] ?? ''
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function defaultMessage(status: number): string {
  if (status === 401) {
    return 'You are not signed in, or your session has expired.'
  }
  if (status === 403) {
    return 'You do not have permission to do this.'
  }
  if (status === 404) {
    return 'This was not found. It may have been deleted, or you may not have access to it.'
  }
  if (status === 429) {
    return 'Too many attempts. Wait a minute and try again.'
  }
  if (status >= 500) {
    return 'Something went wrong on the server. Try again in a moment.'
  }
  return `The request failed (HTTP ${status}).`
}

/** Turns any error response into an ApiError; tolerant of non-JSON bodies (proxies, HTML 502 pages). */
export function parseApiError(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined
  if (!error) {
    return new ApiError(status, status >= 500 ? 'server_error' : `http_${status}`, defaultMessage(status))
  }
  const code = typeof error.code === 'string' && error.code !== '' ? error.code : `http_${status}`
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : defaultMessage(status)
  const fieldErrors: FieldErrors = {}
  const details: ErrorDetail[] = []
  if (Array.isArray(error.details)) {
    for (const detail of error.details) {
      if (!isRecord(detail) || typeof detail.field !== 'string') {
        continue
      }
      const field = normalizeField(detail.field)
      const text = typeof detail.message === 'string' && detail.message !== '' ? detail.message : 'is invalid'
      details.push({ field: detail.field, message: text })
      // The first message per field wins: it is the one the server reported first.
      if (field !== '' && fieldErrors[field] === undefined) {
        fieldErrors[field] = text
      }
    }
  }
  return new ApiError(status, code, message, fieldErrors, details)
}

let csrfToken: string | undefined
let onUnauthenticated: (() => void) | undefined

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token
}

/** Called when a request answers 401 so the auth context can send the user to sign in. */
export function setUnauthenticatedHandler(handler: (() => void) | undefined): void {
  onUnauthenticated = handler
}

export type Query = Record<string, string | number | boolean | undefined | null>

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value))
    }
  }
  const text = params.toString()
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`
}

interface RequestOptions {
  query?: Query
  body?: unknown
  /** Don't report a 401 to the auth context (the sign-in forms expect 401s). */
  quiet401?: boolean
  signal?: AbortSignal
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method !== 'GET' && method !== 'HEAD') {
    headers['x-requested-with'] = 'XMLHttpRequest'
    if (csrfToken) {
      headers['x-csrf-token'] = csrfToken
    }
  }
  let body: string | FormData | undefined
  if (options.body instanceof FormData) {
    // The browser sets multipart/form-data with its boundary.
    body = options.body
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(`${API_BASE}${withQuery(path, options.query)}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      throw error
    }
    throw new ApiError(0, 'network_error', 'Could not reach the Tessera server. Check your connection and try again.')
  }
  const text = response.status === 204 ? '' : await response.text()
  let parsed: unknown = undefined
  if (text !== '') {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
  }
  if (!response.ok) {
    const error = parseApiError(response.status, parsed)
    if (response.status === 401 && !options.quiet401 && error.code !== 'mfa_required') {
      onUnauthenticated?.()
    }
    throw error
  }
  return parsed as T
}

/**
 * A POST answered with a stream of JSON lines (application/x-ndjson, e.g. a long load's
 * progress): each line goes to onLine as it arrives. A refusal before the stream starts is an
 * ApiError, as for request().
 */
export async function postLines(path: string, body: unknown, onLine: (line: unknown) => void, options: { signal?: AbortSignal } = {}): Promise<void> {
  const headers: Record<string, string> = { accept: 'application/x-ndjson', 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' }
  if (csrfToken) {
    headers['x-csrf-token'] = csrfToken
  }
  let response: Response
  try {
    response = await fetch(`${API_BASE}${path}`, { method: 'POST', headers, body: JSON.stringify(body ?? {}), credentials: 'same-origin', signal: options.signal })
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      throw error
    }
    throw new ApiError(0, 'network_error', 'Could not reach the Tessera server. Check your connection and try again.')
  }
  if (!response.ok || !response.body) {
    const text = await response.text()
    let parsed: unknown = undefined
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (response.status === 401) {
      onUnauthenticated?.()
    }
    throw parseApiError(response.status, parsed)
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  for (;;) {
    const { value, done } = await reader.read()
    buffered += value ?? ''
    const lines = buffered.split('\n')
    buffered = done ? '' : (lines.pop() ?? '')
    for (const line of lines) {
      if (line.trim() !== '') onLine(JSON.parse(line))
    }
    if (done) return
  }
}

export const api = {
  get: <T>(path: string, query?: Query, options: Omit<RequestOptions, 'query' | 'body'> = {}) => request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}) => request<T>('POST', path, { ...options, body: body ?? {} }),
  patch: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}) => request<T>('PATCH', path, { ...options, body: body ?? {} }),
  put: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}) => request<T>('PUT', path, { ...options, body: body ?? {} }),
  delete: <T = void>(path: string, options: Omit<RequestOptions, 'body'> = {}) => request<T>('DELETE', path, options),
  /** multipart/form-data (a file upload). */
  upload: <T>(path: string, form: FormData, options: Omit<RequestOptions, 'body'> = {}) => request<T>('POST', path, { ...options, body: form }),
}

/** A human sentence for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    return error.message
  }
  if (error instanceof Error) {
    return error.message
  }
  return 'Something went wrong.'
}
