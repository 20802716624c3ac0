import { rowsToObject, type KeyValueRow } from '../../components/KeyValueEditor.tsx'
import type { Rule } from '../../lib/validate.ts'
import { MASK } from './api.ts'

/**
 * The connection settings of a data source as a form holds them (strings), and the way to and
 * from the API's `config`. Rules mirror src/modules/data-sources/data-sources.config.ts, keyed
 * by the same paths the server names in its error details ("config.host").
 */

export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-full'
export type AuthType = 'none' | 'bearer' | 'basic' | 'apiKey'
export type PaginationType = 'none' | 'page' | 'offset' | 'cursor'

export interface SqlDraft {
  host: string
  port: string
  database: string
  user: string
  password: string
  sslMode: SslMode
  /** Editing: a password is stored (it is never shown). */
  savedPassword: boolean
  /** Editing: remove the stored password. */
  clearPassword: boolean
}

export interface ApiDraft {
  url: string
  method: 'GET' | 'POST'
  body: string
  headers: KeyValueRow[]
  authType: AuthType
  /** Editing: the auth type stored, whose secret is kept when its input stays empty. */
  savedAuthType: AuthType | undefined
  token: string
  username: string
  password: string
  keyIn: 'header' | 'query'
  keyName: string
  keyValue: string
  paginationType: PaginationType
  param: string
  sizeParam: string
  size: string
  limitParam: string
  limit: string
  cursorPath: string
  maxPages: string
  startPage: string
  recordsPath: string
}

export const SSL_MODES: Array<{ value: SslMode; label: string }> = [
  { value: 'prefer', label: 'Prefer TLS' },
  { value: 'require', label: 'Require TLS' },
  { value: 'verify-full', label: 'Verify full' },
  { value: 'disable', label: 'Disable TLS' },
]

export const EMPTY_SQL: SqlDraft = { host: '', port: '', database: '', user: '', password: '', sslMode: 'prefer', savedPassword: false, clearPassword: false }

export const EMPTY_API: ApiDraft = {
  url: '',
  method: 'GET',
  body: '',
  headers: [],
  authType: 'none',
  savedAuthType: undefined,
  token: '',
  username: '',
  password: '',
  keyIn: 'header',
  keyName: '',
  keyValue: '',
  paginationType: 'none',
  param: '',
  sizeParam: '',
  size: '100',
  limitParam: '',
  limit: '100',
  cursorPath: '',
  maxPages: '100',
  startPage: '1',
  recordsPath: '',
}

const str = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '')

export function sqlDraftFrom(config: Record<string, unknown>): SqlDraft {
  const ssl = str(config.sslMode)
  return {
    host: str(config.host),
    port: str(config.port),
    database: str(config.database),
    user: str(config.user),
    password: '',
    sslMode: ssl === 'disable' || ssl === 'require' || ssl === 'verify-full' ? ssl : 'prefer',
    savedPassword: config.password === MASK,
    clearPassword: false,
  }
}

export function apiDraftFrom(config: Record<string, unknown>): ApiDraft {
  const auth = (config.auth ?? {}) as Record<string, unknown>
  const pagination = (config.pagination ?? {}) as Record<string, unknown>
  const authType = (['bearer', 'basic', 'apiKey'] as const).find((type) => type === auth.type) ?? 'none'
  const headers = Object.entries((config.headers ?? {}) as Record<string, unknown>).map(([key, value]) => (value === MASK ? { key, value: '', saved: true } : { key, value: str(value) }))
  return {
    ...EMPTY_API,
    url: str(config.url),
    method: config.method === 'POST' ? 'POST' : 'GET',
    body: config.body === undefined ? '' : JSON.stringify(config.body, null, 2),
    headers,
    authType,
    savedAuthType: authType,
    username: str(auth.username),
    keyIn: auth.in === 'query' ? 'query' : 'header',
    keyName: str(auth.name),
    paginationType: (['page', 'offset', 'cursor'] as const).find((type) => type === pagination.type) ?? 'none',
    param: str(pagination.param),
    sizeParam: str(pagination.sizeParam),
    size: str(pagination.size) || EMPTY_API.size,
    limitParam: str(pagination.limitParam),
    limit: str(pagination.limit) || EMPTY_API.limit,
    cursorPath: str(pagination.cursorPath),
    maxPages: str(pagination.maxPages) || EMPTY_API.maxPages,
    startPage: str(pagination.startPage) || EMPTY_API.startPage,
    recordsPath: str(config.recordsPath),
  }
}

const int = (text: string): number => Number(text.trim())

export function sqlConfig(draft: SqlDraft): Record<string, unknown> {
  return {
    host: draft.host.trim(),
    ...(draft.port.trim() === '' ? {} : { port: int(draft.port) }),
    database: draft.database.trim(),
    user: draft.user.trim(),
    // Omitted keeps the stored password; null removes it.
    ...(draft.password !== '' ? { password: draft.password } : draft.clearPassword ? { password: null } : {}),
    sslMode: draft.sslMode,
  }
}

/** An empty secret keeps the stored one when the auth type did not change (the server keeps an omitted secret). */
function authConfig(draft: ApiDraft): Record<string, unknown> {
  const secret = (value: string) => (value === '' && draft.savedAuthType === draft.authType ? {} : { value })
  switch (draft.authType) {
    case 'none':
      return { type: 'none' }
    case 'bearer': {
      const token = secret(draft.token)
      return { type: 'bearer', ...('value' in token ? { token: token.value } : {}) }
    }
    case 'basic': {
      const password = secret(draft.password)
      return { type: 'basic', username: draft.username.trim(), ...('value' in password ? { password: password.value } : {}) }
    }
    case 'apiKey':
      return { type: 'apiKey', in: draft.keyIn, name: draft.keyName.trim(), ...secret(draft.keyValue) }
  }
}

function paginationConfig(draft: ApiDraft): Record<string, unknown> {
  const param = draft.param.trim()
  switch (draft.paginationType) {
    case 'none':
      return { type: 'none' }
    case 'page':
      return { type: 'page', param, ...(draft.sizeParam.trim() ? { sizeParam: draft.sizeParam.trim() } : {}), size: int(draft.size), maxPages: int(draft.maxPages), startPage: int(draft.startPage) }
    case 'offset':
      return { type: 'offset', param, limitParam: draft.limitParam.trim(), limit: int(draft.limit), maxPages: int(draft.maxPages) }
    case 'cursor':
      return { type: 'cursor', param, cursorPath: draft.cursorPath.trim(), maxPages: int(draft.maxPages) }
  }
}

export function apiConfig(draft: ApiDraft): Record<string, unknown> {
  const headers = rowsToObject(draft.headers.map((row) => (row.saved && row.value === '' ? { ...row, value: MASK } : row)))
  return {
    url: draft.url.trim(),
    method: draft.method,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(draft.method === 'POST' && draft.body.trim() !== '' ? { body: JSON.parse(draft.body) as unknown } : {}),
    auth: authConfig(draft),
    pagination: paginationConfig(draft),
    ...(draft.recordsPath.trim() ? { recordsPath: draft.recordsPath.trim() } : {}),
  }
}

const HOST = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/
const IPV6 = /^[0-9A-Fa-f:.]+$/
const PARAM = /^[A-Za-z0-9_.[\]-]+$/
const PATH = /^(\$\.?)?[A-Za-z0-9_$-]+(\[\d+\])?(\.[A-Za-z0-9_$-]+(\[\d+\])?)*$/
const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/

function inRange(text: string, min: number, max: number): boolean {
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max
}

export function sqlRules(draft: SqlDraft): Rule[] {
  const host = draft.host.trim()
  return [
    ['config.host', host !== '', 'Enter the database server’s host name or IP address'],
    ['config.host', host === '' || (host.length <= 253 && (HOST.test(host) || (host.includes(':') && IPV6.test(host)))), 'Use a host name or IP address only (no scheme, port, path or spaces)'],
    ['config.port', draft.port.trim() === '' || inRange(draft.port, 1, 65535), 'Use a port between 1 and 65535'],
    ['config.database', draft.database.trim() !== '', 'Enter the database name'],
    ['config.user', draft.user.trim() !== '', 'Enter the user name'],
  ]
}

function validUrl(text: string): boolean {
  try {
    const url = new URL(text.trim())
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
  } catch {
    return false
  }
}

function validJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

export function apiRules(draft: ApiDraft): Rule[] {
  const keepSecret = draft.savedAuthType === draft.authType
  const needsSecret = (value: string) => value !== '' || keepSecret
  const p = draft.paginationType
  const rules: Rule[] = [
    ['config.url', validUrl(draft.url), 'Enter an absolute http:// or https:// URL without a user name or password (use Authentication for credentials)'],
    ['config.body', draft.method !== 'POST' || draft.body.trim() === '' || validJson(draft.body), 'Enter valid JSON, or leave the body empty'],
    ['config.headers', draft.headers.every((row) => row.key.trim() === '' || HEADER.test(row.key.trim())), 'Header names use letters, digits and - only'],
    ['config.auth.token', draft.authType !== 'bearer' || needsSecret(draft.token), 'Enter the bearer token'],
    ['config.auth.username', draft.authType !== 'basic' || draft.username.trim() !== '', 'Enter the user name'],
    ['config.auth.password', draft.authType !== 'basic' || needsSecret(draft.password), 'Enter the password'],
    ['config.auth.name', draft.authType !== 'apiKey' || PARAM.test(draft.keyName.trim()), 'Enter the header or parameter name (letters, digits, _ . - [ ])'],
    ['config.auth.value', draft.authType !== 'apiKey' || needsSecret(draft.keyValue), 'Enter the API key'],
    ['config.pagination.param', p === 'none' || PARAM.test(draft.param.trim()), 'Enter the query parameter name (letters, digits, _ . - [ ])'],
    ['config.pagination.sizeParam', p !== 'page' || draft.sizeParam.trim() === '' || PARAM.test(draft.sizeParam.trim()), 'Use letters, digits, _ . - [ ] only'],
    ['config.pagination.size', p !== 'page' || inRange(draft.size, 1, 100_000), 'Use a whole number between 1 and 100000'],
    ['config.pagination.startPage', p !== 'page' || inRange(draft.startPage, 0, 1), 'The first page is 0 or 1'],
    ['config.pagination.limitParam', p !== 'offset' || PARAM.test(draft.limitParam.trim()), 'Enter the limit parameter name (letters, digits, _ . - [ ])'],
    ['config.pagination.limit', p !== 'offset' || inRange(draft.limit, 1, 100_000), 'Use a whole number between 1 and 100000'],
    ['config.pagination.cursorPath', p !== 'cursor' || PATH.test(draft.cursorPath.trim()), 'Enter a dotted path such as meta.next_cursor'],
    ['config.pagination.maxPages', p === 'none' || inRange(draft.maxPages, 1, 10_000), 'Use a whole number between 1 and 10000'],
    ['config.recordsPath', draft.recordsPath.trim() === '' || PATH.test(draft.recordsPath.trim()), 'Enter a dotted path such as data.items, or leave it empty'],
  ]
  return rules
}
