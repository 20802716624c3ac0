import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The only module that reads `process.env`. It validates everything at once and
 * reports every problem in one message, so an operator fixes a broken deployment
 * in one round instead of one variable per restart.
 */

export type NodeEnv = 'development' | 'production' | 'test'

export interface SmtpConfig {
  host: string
  port: number
  secure: boolean
  user: string | undefined
  password: string | undefined
}

export interface Config {
  nodeEnv: NodeEnv
  isProduction: boolean
  home: string
  /** Where retention writes archives before deleting (TESSERA_ARCHIVE_DIR, default TESSERA_HOME/archive). */
  archiveDir: string
  databaseUrl: string | undefined
  databaseRuntimeUrl: string | undefined
  /** The request-log writer's login (DATABASE_LOG_WRITER_URL); default tessera_log_writer on the runtime connection. */
  databaseLogWriterUrl: string | undefined
  /** A superuser (or BYPASSRLS) connection for `tessera backup`/`restore` when DATABASE_URL is the owner role (TESSERA_BACKUP_DATABASE_URL). */
  databaseBackupUrl: string | undefined
  databasePoolSize: number
  embeddedPgPort: number | undefined
  host: string
  port: number
  publicUrl: string
  secretKey: Buffer
  secretKeyId: string
  setupToken: string | undefined
  smtp: SmtpConfig | undefined
  mailFrom: string
  logLevel: string
  trustProxy: boolean
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

const KNOWN_DEFAULT_SECRETS = new Set(['changeme', 'change-me', 'secret', 'password', 'tessera', 'default', 'development'])
const MIN_SECRET_BYTES = 32
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

type Env = Record<string, string | undefined>

function parsePort(name: string, raw: string | undefined, problems: string[], fallback?: number): number | undefined {
  if (raw === undefined || raw === '') {
    return fallback
  }
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    problems.push(`${name} must be a port number between 0 and 65535 (got "${raw}")`)
    return fallback
  }
  return value
}

function parseUrl(name: string, raw: string | undefined, protocols: string[], problems: string[]): string | undefined {
  if (raw === undefined || raw === '') {
    return undefined
  }
  try {
    const url = new URL(raw)
    if (!protocols.includes(url.protocol)) {
      problems.push(`${name} must use ${protocols.join(' or ')} (got "${url.protocol}")`)
      return undefined
    }
    return raw
  } catch {
    problems.push(`${name} is not a valid URL`)
    return undefined
  }
}

/** Dev and test mode keep a generated secret in TESSERA_HOME so sessions and encrypted values survive restarts. */
function loadOrCreateDevSecret(home: string): string {
  const file = path.join(home, 'secret-key')
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim()
  }
  mkdirSync(home, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return secret
}

function decodeSecret(raw: string): Buffer {
  return Buffer.from(raw, 'utf8')
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = []
  const nodeEnvRaw = env.NODE_ENV ?? 'development'
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    problems.push(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`)
  }
  const nodeEnv = (['development', 'production', 'test'].includes(nodeEnvRaw) ? nodeEnvRaw : 'development') as NodeEnv
  const isProduction = nodeEnv === 'production'

  const home = path.resolve(env.TESSERA_HOME ?? path.join(process.cwd(), '.tessera'))
  const databaseUrl = parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:'], problems)
  const databaseRuntimeUrl = parseUrl('DATABASE_RUNTIME_URL', env.DATABASE_RUNTIME_URL, ['postgres:', 'postgresql:'], problems)
  const databaseLogWriterUrl = parseUrl('DATABASE_LOG_WRITER_URL', env.DATABASE_LOG_WRITER_URL, ['postgres:', 'postgresql:'], problems)
  const databaseBackupUrl = parseUrl('TESSERA_BACKUP_DATABASE_URL', env.TESSERA_BACKUP_DATABASE_URL, ['postgres:', 'postgresql:'], problems)
  if (databaseRuntimeUrl && !databaseUrl) {
    problems.push('DATABASE_RUNTIME_URL needs DATABASE_URL (the owner connection) as well')
  }
  const port = parsePort('PORT', env.PORT, problems, 3000) ?? 3000
  const embeddedPgPort = parsePort('TESSERA_PG_PORT', env.TESSERA_PG_PORT, problems)
  const host = env.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1')

  const poolRaw = env.DATABASE_POOL_SIZE ?? '10'
  const databasePoolSize = Number(poolRaw)
  if (!Number.isInteger(databasePoolSize) || databasePoolSize < 1 || databasePoolSize > 500) {
    problems.push(`DATABASE_POOL_SIZE must be an integer between 1 and 500 (got "${poolRaw}")`)
  }

  const publicUrlRaw = env.PUBLIC_URL ?? `http://localhost:${port}`
  const publicUrl = (parseUrl('PUBLIC_URL', publicUrlRaw, ['http:', 'https:'], problems) ?? `http://localhost:${port}`).replace(/\/+$/, '')
  if (isProduction && !env.PUBLIC_URL) {
    problems.push('PUBLIC_URL is required in production (links in emails are built from it, never from the Host header)')
  }

  let secretRaw = env.TESSERA_SECRET_KEY
  if (isProduction) {
    if (!secretRaw) {
      problems.push(`TESSERA_SECRET_KEY is required in production (at least ${MIN_SECRET_BYTES} bytes, e.g. \`openssl rand -base64 48\`)`)
    } else if (KNOWN_DEFAULT_SECRETS.has(secretRaw.toLowerCase())) {
      problems.push('TESSERA_SECRET_KEY is a well-known default value; generate a random one')
    } else if (Buffer.byteLength(secretRaw, 'utf8') < MIN_SECRET_BYTES) {
      problems.push(`TESSERA_SECRET_KEY must be at least ${MIN_SECRET_BYTES} bytes (got ${Buffer.byteLength(secretRaw, 'utf8')})`)
    }
  } else if (!secretRaw) {
    secretRaw = loadOrCreateDevSecret(home)
  } else if (Buffer.byteLength(secretRaw, 'utf8') < MIN_SECRET_BYTES) {
    problems.push(`TESSERA_SECRET_KEY must be at least ${MIN_SECRET_BYTES} bytes (got ${Buffer.byteLength(secretRaw, 'utf8')})`)
  }
  const secretKeyId = env.TESSERA_SECRET_KEY_ID ?? 'k1'
  if (!/^[a-z0-9_-]{1,32}$/i.test(secretKeyId)) {
    problems.push('TESSERA_SECRET_KEY_ID must be 1-32 letters, digits, "-" or "_"')
  }

  let smtp: SmtpConfig | undefined
  if (env.SMTP_HOST) {
    const smtpPort = parsePort('SMTP_PORT', env.SMTP_PORT, problems, 587) ?? 587
    const secureRaw = env.SMTP_SECURE ?? (smtpPort === 465 ? 'true' : 'false')
    if (!['true', 'false'].includes(secureRaw)) {
      problems.push(`SMTP_SECURE must be true or false (got "${secureRaw}")`)
    }
    if (env.SMTP_USER && !env.SMTP_PASSWORD) {
      problems.push('SMTP_PASSWORD is required when SMTP_USER is set')
    }
    smtp = { host: env.SMTP_HOST, port: smtpPort, secure: secureRaw === 'true', user: env.SMTP_USER, password: env.SMTP_PASSWORD }
  } else if (env.SMTP_PORT || env.SMTP_USER) {
    problems.push('SMTP_HOST is required when SMTP_PORT or SMTP_USER is set')
  }
  const mailFrom = env.MAIL_FROM ?? 'Tessera <tessera@localhost>'

  const logLevel = env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info')
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`)
  }
  const trustProxyRaw = env.TRUST_PROXY ?? 'false'
  if (!['true', 'false'].includes(trustProxyRaw)) {
    problems.push(`TRUST_PROXY must be true or false (got "${trustProxyRaw}")`)
  }

  const setupToken = env.TESSERA_SETUP_TOKEN
  if (setupToken !== undefined && setupToken.length < 16) {
    problems.push('TESSERA_SETUP_TOKEN must be at least 16 characters')
  }

  if (problems.length > 0) {
    throw new ConfigError(problems)
  }

  return Object.freeze({
    nodeEnv,
    isProduction,
    home,
    archiveDir: path.resolve(env.TESSERA_ARCHIVE_DIR || path.join(home, 'archive')),
    databaseUrl,
    databaseRuntimeUrl,
    databaseLogWriterUrl,
    databaseBackupUrl,
    databasePoolSize,
    embeddedPgPort,
    host,
    port,
    publicUrl,
    secretKey: decodeSecret(secretRaw ?? ''),
    secretKeyId,
    setupToken,
    smtp,
    mailFrom,
    logLevel,
    trustProxy: trustProxyRaw === 'true',
  })
}
