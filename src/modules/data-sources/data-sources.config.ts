import { isIP } from 'node:net'
import { AppError } from '../../platform/errors.ts'

/**
 * Connection settings of each source type, validated against an allowlist of keys: a key
 * that is not listed is refused (it could smuggle driver options such as a socket path or
 * an init command). Secrets are split off here and stored encrypted; the API shows MASK.
 */

export const DATA_SOURCE_TYPES = ['postgresql', 'mysql', 'api', 'csv', 'push', 'mongodb', 'bigquery'] as const
export type DataSourceType = (typeof DATA_SOURCE_TYPES)[number]
/** Types that can be created through the API (csv is created by upload). */
export const CREATABLE_TYPES = ['postgresql', 'mysql', 'api', 'push'] as const

export const MASK = '********'
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-full'] as const
export type SslMode = (typeof SSL_MODES)[number]

export interface SqlConfig {
  host: string
  port: number
  database: string
  user: string
  password?: string
  sslMode: SslMode
}

export type ApiAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; value: string }

export type ApiPagination =
  | { type: 'none' }
  | { type: 'page'; param: string; sizeParam?: string; size: number; maxPages: number; startPage: number }
  | { type: 'offset'; param: string; limitParam: string; limit: number; maxPages: number }
  | { type: 'cursor'; param: string; cursorPath: string; maxPages: number }

export interface ApiConfig {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  /** JSON body sent with POST. */
  body?: unknown
  auth: ApiAuth
  pagination: ApiPagination
  /** Dotted path to the records array in each response ("data.items"); the body itself when absent. */
  recordsPath?: string
}

export type SourceConfig = SqlConfig | ApiConfig | Record<string, never>

/** Header names whose values are secrets (stored encrypted, masked in responses). */
export function isSensitiveHeader(name: string): boolean {
  return /authorization|cookie|token|secret|password|passwd|api[-_]?key|signature|session|credential|auth/i.test(name)
}

interface Issue {
  field: string
  message: string
}

class Checker {
  readonly issues: Issue[] = []
  constructor(private readonly type: string) {}

  object(value: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.issues.push({ field, message: 'must be an object' })
      return {}
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.issues.push({ field: `${field}.${key}`, message: `is not an allowed key for a ${this.type} source (allowed: ${allowed.join(', ')})` })
      }
    }
    return value as Record<string, unknown>
  }

  string(value: unknown, field: string, options: { optional?: boolean; max?: number; pattern?: RegExp; patternHint?: string } = {}): string | undefined {
    if (value === undefined || value === null) {
      if (!options.optional) {
        this.issues.push({ field, message: 'is required' })
      }
      return undefined
    }
    if (typeof value !== 'string' || value.length === 0 || value.length > (options.max ?? 1000) || value.includes('\0')) {
      this.issues.push({ field, message: `must be a non-empty string of at most ${options.max ?? 1000} characters` })
      return undefined
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.issues.push({ field, message: options.patternHint ?? `must match ${options.pattern.source}` })
      return undefined
    }
    return value
  }

  integer(value: unknown, field: string, min: number, max: number, fallback?: number): number {
    if (value === undefined && fallback !== undefined) {
      return fallback
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.issues.push({ field, message: `must be a whole number between ${min} and ${max}` })
      return fallback ?? min
    }
    return value
  }

  oneOf<T extends string>(value: unknown, field: string, options: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) {
      return fallback
    }
    if (typeof value !== 'string' || !options.includes(value as T)) {
      this.issues.push({ field, message: `must be one of: ${options.join(', ')}` })
      return fallback ?? options[0]!
    }
    return value as T
  }

  /** A secret: MASK or absence keeps the previous value. */
  secret(value: unknown, field: string, previous: string | undefined, required = true): string | undefined {
    if (value === undefined || value === MASK) {
      if (previous === undefined && required) {
        this.issues.push({ field, message: 'is required' })
      }
      return previous
    }
    return this.string(value, field, { max: 4000, optional: !required })
  }
}

const HOST_HINT = 'must be a host name or an IP address (no scheme, port, path or spaces)'

function validHost(host: string): boolean {
  if (isIP(host) !== 0) {
    return true
  }
  return host.length <= 253 && /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/.test(host)
}

function sqlConfig(c: Checker, raw: unknown, type: 'postgresql' | 'mysql', previous: SqlConfig | undefined): SqlConfig {
  const input = c.object(raw, 'config', ['host', 'port', 'database', 'user', 'password', 'sslMode'])
  const host = c.string(input.host, 'config.host', { max: 253 })
  if (host !== undefined && !validHost(host)) {
    c.issues.push({ field: 'config.host', message: HOST_HINT })
  }
  // An empty string or null means "no password" (MariaDB's root on a dev box); omitted or MASK keeps it.
  const password = input.password === '' || input.password === null ? undefined : c.secret(input.password, 'config.password', previous?.password, false)
  return {
    host: host ?? '',
    port: c.integer(input.port, 'config.port', 1, 65535, type === 'postgresql' ? 5432 : 3306),
    database: c.string(input.database, 'config.database', { max: 128 }) ?? '',
    user: c.string(input.user, 'config.user', { max: 128 }) ?? '',
    ...(password === undefined ? {} : { password }),
    sslMode: c.oneOf(input.sslMode, 'config.sslMode', SSL_MODES, 'prefer'),
  }
}

const PARAM = { max: 100, pattern: /^[A-Za-z0-9_.[\]-]+$/, patternHint: 'must be a parameter name (letters, digits, _ . - [ ])' }
const PATH = { max: 200, pattern: /^(\$\.?)?[A-Za-z0-9_$-]+(\[\d+\])?(\.[A-Za-z0-9_$-]+(\[\d+\])?)*$/, patternHint: 'must be a dotted path such as data.items or $.meta.next' }

function apiAuth(c: Checker, raw: unknown, previous: ApiAuth | undefined): ApiAuth {
  if (raw === undefined) {
    return { type: 'none' }
  }
  const type = c.oneOf((raw as { type?: unknown } | null)?.type, 'config.auth.type', ['none', 'bearer', 'basic', 'apiKey'] as const)
  const same = previous?.type === type ? previous : undefined
  switch (type) {
    case 'none':
      c.object(raw, 'config.auth', ['type'])
      return { type }
    case 'bearer': {
      const input = c.object(raw, 'config.auth', ['type', 'token'])
      return { type, token: c.secret(input.token, 'config.auth.token', same?.type === 'bearer' ? same.token : undefined) ?? '' }
    }
    case 'basic': {
      const input = c.object(raw, 'config.auth', ['type', 'username', 'password'])
      return {
        type,
        username: c.string(input.username, 'config.auth.username', { max: 200 }) ?? '',
        password: c.secret(input.password, 'config.auth.password', same?.type === 'basic' ? same.password : undefined) ?? '',
      }
    }
    case 'apiKey': {
      const input = c.object(raw, 'config.auth', ['type', 'in', 'name', 'value'])
      return {
        type,
        in: c.oneOf(input.in, 'config.auth.in', ['header', 'query'] as const),
        name: c.string(input.name, 'config.auth.name', PARAM) ?? '',
        value: c.secret(input.value, 'config.auth.value', same?.type === 'apiKey' ? same.value : undefined) ?? '',
      }
    }
  }
}

function apiPagination(c: Checker, raw: unknown): ApiPagination {
  if (raw === undefined) {
    return { type: 'none' }
  }
  const type = c.oneOf((raw as { type?: unknown } | null)?.type, 'config.pagination.type', ['none', 'page', 'offset', 'cursor'] as const)
  const f = (key: string) => `config.pagination.${key}`
  switch (type) {
    case 'none':
      c.object(raw, 'config.pagination', ['type'])
      return { type }
    case 'page': {
      const input = c.object(raw, 'config.pagination', ['type', 'param', 'sizeParam', 'size', 'maxPages', 'startPage'])
      const sizeParam = c.string(input.sizeParam, f('sizeParam'), { ...PARAM, optional: true })
      return {
        type,
        param: c.string(input.param, f('param'), PARAM) ?? '',
        ...(sizeParam === undefined ? {} : { sizeParam }),
        size: c.integer(input.size, f('size'), 1, 100_000, 100),
        maxPages: c.integer(input.maxPages, f('maxPages'), 1, 10_000, 100),
        startPage: c.integer(input.startPage, f('startPage'), 0, 1, 1),
      }
    }
    case 'offset': {
      const input = c.object(raw, 'config.pagination', ['type', 'param', 'limitParam', 'limit', 'maxPages'])
      return {
        type,
        param: c.string(input.param, f('param'), PARAM) ?? '',
        limitParam: c.string(input.limitParam, f('limitParam'), PARAM) ?? '',
        limit: c.integer(input.limit, f('limit'), 1, 100_000, 100),
        maxPages: c.integer(input.maxPages, f('maxPages'), 1, 10_000, 100),
      }
    }
    case 'cursor': {
      const input = c.object(raw, 'config.pagination', ['type', 'param', 'cursorPath', 'maxPages'])
      return {
        type,
        param: c.string(input.param, f('param'), PARAM) ?? '',
        cursorPath: c.string(input.cursorPath, f('cursorPath'), PATH) ?? '',
        maxPages: c.integer(input.maxPages, f('maxPages'), 1, 10_000, 100),
      }
    }
  }
}

function apiConfig(c: Checker, raw: unknown, previous: ApiConfig | undefined): ApiConfig {
  const input = c.object(raw, 'config', ['url', 'method', 'headers', 'body', 'auth', 'pagination', 'recordsPath'])
  const url = c.string(input.url, 'config.url', { max: 2000 })
  if (url !== undefined) {
    let parsed: URL | undefined
    try {
      parsed = new URL(url)
    } catch {
      c.issues.push({ field: 'config.url', message: 'must be an absolute http or https URL' })
    }
    if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      c.issues.push({ field: 'config.url', message: 'must be an absolute http or https URL' })
    } else if (parsed && (parsed.username || parsed.password)) {
      c.issues.push({ field: 'config.url', message: 'must not carry a user name or password (use config.auth)' })
    }
  }
  const headers: Record<string, string> = {}
  if (input.headers !== undefined) {
    const given = c.object(input.headers, 'config.headers', Object.keys(input.headers ?? {}))
    for (const [name, value] of Object.entries(given)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(name)) {
        c.issues.push({ field: `config.headers.${name}`, message: 'is not a valid header name' })
        continue
      }
      const kept = isSensitiveHeader(name) ? c.secret(value, `config.headers.${name}`, previous?.headers[name]) : c.string(value, `config.headers.${name}`, { max: 4000 })
      if (kept !== undefined) {
        headers[name] = kept
      }
    }
  }
  const recordsPath = c.string(input.recordsPath, 'config.recordsPath', { ...PATH, optional: true })
  const method = c.oneOf(input.method, 'config.method', ['GET', 'POST'] as const, 'GET')
  return {
    url: url ?? '',
    method,
    headers,
    ...(input.body === undefined || method !== 'POST' ? {} : { body: input.body }),
    auth: apiAuth(c, input.auth, previous?.auth),
    pagination: apiPagination(c, input.pagination),
    ...(recordsPath === undefined ? {} : { recordsPath }),
  }
}

/**
 * Validates the config of a source of `type`. `previous` is the current full config on
 * PATCH: secrets that are omitted or sent as MASK keep their previous value.
 */
export function parseSourceConfig(type: DataSourceType, raw: unknown, previous?: SourceConfig): SourceConfig {
  const c = new Checker(type)
  let config: SourceConfig
  switch (type) {
    case 'postgresql':
    case 'mysql':
      config = sqlConfig(c, raw, type, previous as SqlConfig | undefined)
      break
    case 'api':
      config = apiConfig(c, raw, previous as ApiConfig | undefined)
      break
    case 'csv':
    case 'push':
    case 'mongodb':
    case 'bigquery':
      c.object(raw ?? {}, 'config', [])
      config = {}
      break
  }
  if (c.issues.length > 0) {
    const first = c.issues[0]!
    throw new AppError('validation_failed', 400, `Invalid ${type} source config: ${first.field} ${first.message}`, { details: c.issues })
  }
  return config
}

/** Splits a full config into what is stored in clear (connection_config) and the secrets. */
export function splitSecrets(type: DataSourceType, config: SourceConfig): { stored: Record<string, unknown>; secrets: Record<string, unknown> | null } {
  if (type === 'postgresql' || type === 'mysql') {
    const { password, ...stored } = config as SqlConfig
    return { stored: { ...stored }, secrets: password === undefined ? null : { password } }
  }
  if (type !== 'api') {
    return { stored: {}, secrets: null }
  }
  const api = config as ApiConfig
  const secrets: Record<string, unknown> = {}
  const headers: Record<string, string> = {}
  const secretHeaders: Record<string, string> = {}
  for (const [name, value] of Object.entries(api.headers)) {
    if (isSensitiveHeader(name)) {
      secretHeaders[name] = value
    } else {
      headers[name] = value
    }
  }
  if (Object.keys(secretHeaders).length > 0) {
    secrets.headers = secretHeaders
  }
  let auth: Record<string, unknown> = { type: api.auth.type }
  switch (api.auth.type) {
    case 'none':
      break
    case 'bearer':
      secrets.token = api.auth.token
      break
    case 'basic':
      auth = { type: 'basic', username: api.auth.username }
      secrets.password = api.auth.password
      break
    case 'apiKey':
      auth = { type: 'apiKey', in: api.auth.in, name: api.auth.name }
      secrets.value = api.auth.value
      break
  }
  const stored = { ...api, headers, auth }
  return { stored, secrets: Object.keys(secrets).length > 0 ? secrets : null }
}

/** The inverse of splitSecrets: the full config a run or a test uses. */
export function joinSecrets(type: DataSourceType, stored: Record<string, unknown>, secrets: Record<string, unknown> | null): SourceConfig {
  const s = secrets ?? {}
  if (type === 'postgresql' || type === 'mysql') {
    return { ...(stored as unknown as SqlConfig), ...(typeof s.password === 'string' ? { password: s.password } : {}) }
  }
  if (type !== 'api') {
    return {}
  }
  const api = stored as unknown as ApiConfig
  const headers = { ...api.headers, ...((s.headers as Record<string, string> | undefined) ?? {}) }
  const auth = api.auth as { type: string; [key: string]: unknown }
  const fullAuth: ApiAuth =
    auth.type === 'bearer'
      ? { type: 'bearer', token: String(s.token ?? '') }
      : auth.type === 'basic'
        ? { type: 'basic', username: String(auth.username ?? ''), password: String(s.password ?? '') }
        : auth.type === 'apiKey'
          ? { type: 'apiKey', in: auth.in === 'query' ? 'query' : 'header', name: String(auth.name ?? ''), value: String(s.value ?? '') }
          : { type: 'none' }
  return { ...api, headers, auth: fullAuth }
}

/** The config as the API shows it: every secret replaced by MASK. */
export function maskConfig(type: DataSourceType, stored: Record<string, unknown>, secrets: Record<string, unknown> | null): Record<string, unknown> {
  const s = secrets ?? {}
  if (type === 'postgresql' || type === 'mysql') {
    return { ...stored, ...(s.password !== undefined ? { password: MASK } : {}) }
  }
  if (type !== 'api') {
    return { ...stored }
  }
  const headers = { ...(stored.headers as Record<string, string>) }
  for (const name of Object.keys((s.headers as Record<string, string> | undefined) ?? {})) {
    headers[name] = MASK
  }
  const auth = { ...(stored.auth as Record<string, unknown>) }
  if (auth.type === 'bearer') {
    auth.token = MASK
  } else if (auth.type === 'basic') {
    auth.password = MASK
  } else if (auth.type === 'apiKey') {
    auth.value = MASK
  }
  return { ...stored, headers, auth }
}
