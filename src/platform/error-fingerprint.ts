import { createHash } from 'node:crypto'

/**
 * What Tessera derives from an error before it records it (error-recorder.ts): the fingerprint
 * that groups its occurrences, a category, a severity, and text with secrets scrubbed. Pure
 * functions, run on the request path: no I/O, linear in the size of the message and stack.
 */

export type ErrorLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal'
export type ErrorCategory = 'authentication' | 'database' | 'external_api' | 'validation' | 'timeout' | 'job' | 'internal'
export type ImpactLevel = 'low' | 'medium' | 'high' | 'critical'

const MAX_MESSAGE = 4_000
const MAX_STACK = 16_000
const TOP_FRAMES = 3

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi
const QUOTED = /"(?:[^"\\\n]|\\.){0,500}"|'(?:[^'\\\n]|\\.){0,500}'|`[^`\n]{0,500}`/g
const HEX = /\b(?:0x)?[0-9a-f]{8,}\b/gi
const NUMBER = /\b\d+(?:\.\d+)?\b/g

/**
 * The message with what varies between occurrences of one fault replaced: ids, quoted
 * literals, long hex strings, numbers. "Pipeline 42 not found" and "Pipeline 7 not found" are one.
 */
export function normalizeMessage(message: string): string {
  return message
    .slice(0, MAX_MESSAGE)
    .replace(UUID, '<uuid>')
    .replace(QUOTED, '<str>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * The first frames of a V8 stack ("    at fn (file:line:col)"), without line and column and
 * without the install directory: a deploy that moves code by a line, or another checkout path,
 * keeps the fingerprint. Tessera's own frames come first when there are any: a database error
 * starts in the driver (pg, kysely, node internals), which every query shares, and only the
 * application frames say which code path failed.
 */
export function topFrames(stack: string | undefined, count = TOP_FRAMES): string[] {
  if (!stack) {
    return []
  }
  const root = process.cwd()
  const frames = stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .map((line) =>
      line
        .replace(/^at /, '')
        .replace(/file:\/\//g, '')
        .split(root)
        .join('')
        .replace(/:\d+(?::\d+)?(?=\)?$)/, '')
        .replace(/\?[^)\s]*/g, ''))
  const own = frames.filter((frame) => !/node_modules|\(node:|^node:|^process\./.test(frame))
  return (own.length > 0 ? own : frames).slice(0, count)
}

export function errorFingerprint(code: string, message: string, stack: string | undefined): string {
  return createHash('sha256').update([code, normalizeMessage(message), ...topFrames(stack)].join('\n')).digest('hex')
}

const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|authori[sz]ation|cookie|api[-_]?key|credential|signature|private[-_]?key|^key$|^dsn$/i

/** Secrets that show up inside text: API keys, bearer tokens, URL credentials, key=value pairs. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\btsk_[A-Za-z0-9_-]+/g, 'tsk_[redacted]')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, '$1[redacted]@')
    .replace(/\b(password|passwd|secret|token|api[-_]?key|access[-_]?key)(["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi, '$1$2[redacted]')
}

/**
 * A JSON-safe copy of a context object: values under secret-looking keys replaced, strings
 * scrubbed and cut, depth and breadth bounded so a huge payload cannot bloat the log.
 */
export function redactContext(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) {
    return null
  }
  if (typeof value === 'string') {
    return scrubSecrets(value.length > 1_000 ? `${value.slice(0, 1_000)}…` : value)
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return value
  }
  if (typeof value === 'bigint') {
    return value.toString()
  }
  if (depth >= 4) {
    return '[truncated]'
  }
  if (Array.isArray(value)) {
    return value.slice(0, 20).map((item) => redactContext(item, depth + 1))
  }
  if (value instanceof Date) {
    return value.toISOString()
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value).slice(0, 50)) {
      out[key] = SECRET_KEY.test(key) && item !== null && item !== undefined && item !== '' ? '[redacted]' : redactContext(item, depth + 1)
    }
    return out
  }
  return String(value)
}

interface ErrorLike {
  name?: unknown
  message?: unknown
  stack?: unknown
  code?: unknown
  statusCode?: unknown
  cause?: unknown
  severity?: unknown
  routine?: unknown
}

const asErrorLike = (error: unknown): ErrorLike => (typeof error === 'object' && error !== null ? (error as ErrorLike) : { message: String(error) })

/** The error's stable code: an AppError code, a PostgreSQL SQLSTATE, a Node code, else its class name. */
export function errorCodeOf(error: unknown): string {
  const e = asErrorLike(error)
  if (typeof e.code === 'string' && e.code !== '') {
    return e.code.slice(0, 50)
  }
  return (typeof e.name === 'string' && e.name !== '' ? e.name : 'Error').slice(0, 50)
}

const isPostgresError = (e: ErrorLike) => typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && (typeof e.severity === 'string' || typeof e.routine === 'string')
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'])
const AUTH_CODES = new Set(['unauthenticated', 'invalid_credentials', 'account_locked', 'account_suspended', 'session_expired', 'csrf_failed', 'forbidden', 'insufficient_scope', 'mfa_required', 'invalid_token'])

/** The category of seed 002 (authentication, database, external_api, validation, …) read from the error itself. */
export function categorize(error: unknown, source: 'http' | 'job'): ErrorCategory {
  const e = asErrorLike(error)
  const cause = e.cause === undefined ? undefined : asErrorLike(e.cause)
  const code = typeof e.code === 'string' ? e.code : ''
  const message = typeof e.message === 'string' ? e.message : ''
  if (AUTH_CODES.has(code)) {
    return 'authentication'
  }
  if (code === 'validation_failed' || code === 'invalid_json' || code.startsWith('22') || code === '23514') {
    return 'validation'
  }
  if (code === 'query_timeout' || code === '57014' || /\btimed? ?out\b/i.test(message)) {
    return 'timeout'
  }
  if (isPostgresError(e) || (cause && isPostgresError(cause)) || /\b(database|postgres|connection terminated)\b/i.test(message)) {
    return 'database'
  }
  if (code === 'outbound_failed' || code === 'outbound_blocked' || NETWORK_CODES.has(code) || (cause && typeof cause.code === 'string' && NETWORK_CODES.has(cause.code)) || message === 'fetch failed') {
    return 'external_api'
  }
  return source === 'job' ? 'job' : 'internal'
}

/** Seed 002's severity 1–5 and impact level: how much the fault hurts, for sorting and alerting. */
export function severityOf(category: ErrorCategory, level: ErrorLevel): { severity: number; impactLevel: ImpactLevel } {
  if (level === 'fatal') {
    return { severity: 5, impactLevel: 'critical' }
  }
  if (level === 'warn' || level === 'info' || level === 'debug') {
    return { severity: 2, impactLevel: 'low' }
  }
  switch (category) {
    case 'database':
    case 'internal':
      return { severity: 4, impactLevel: 'high' }
    case 'authentication':
    case 'external_api':
    case 'timeout':
    case 'job':
      return { severity: 3, impactLevel: 'medium' }
    case 'validation':
      return { severity: 2, impactLevel: 'low' }
  }
}

export interface DescribedError {
  code: string
  message: string
  stack: string | null
  fingerprint: string
  /** The underlying error of an AppError (its public message hides it), summarized for context. */
  cause: { name: string; message: string; code: string } | null
}

/** Code, scrubbed message and stack, and fingerprint of any thrown value. */
export function describeError(error: unknown): DescribedError {
  const e = asErrorLike(error)
  const code = errorCodeOf(error)
  const message = scrubSecrets(String(e.message ?? e) || code).slice(0, MAX_MESSAGE)
  const ownStack = typeof e.stack === 'string' ? e.stack : undefined
  const cause = e.cause === undefined || e.cause === null ? undefined : asErrorLike(e.cause)
  const causeStack = cause && typeof cause.stack === 'string' ? `\nCaused by: ${cause.stack}` : ''
  const stack = ownStack ? scrubSecrets(`${ownStack}${causeStack}`).slice(0, MAX_STACK) : null
  return {
    code,
    message,
    stack,
    fingerprint: errorFingerprint(code, message, ownStack),
    cause: cause
      ? { name: String(cause.name ?? 'Error'), message: scrubSecrets(String(cause.message ?? '')).slice(0, 1_000), code: typeof cause.code === 'string' ? cause.code : '' }
      : null,
  }
}
