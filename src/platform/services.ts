import type { Kysely } from 'kysely'
import type pg from 'pg'
import type { Config } from './config.ts'
import { SecretBox } from './crypto.ts'
import type { Database, DB } from './db.ts'
import { ErrorRecorder } from './error-recorder.ts'
import { Mailer } from './mailer.ts'
import { SettingsCache } from './settings-cache.ts'

/** Everything a route or job needs, built once at boot and passed down explicitly. */
export interface Services {
  config: Config
  /** Runtime role (RLS applies). Never the owner, never a superuser. */
  db: Kysely<DB>
  pool: pg.Pool
  box: SecretBox
  settings: SettingsCache
  mailer: Mailer
  /** Owner connection string, for maintenance DDL run by the worker only. */
  ownerUrl: string
  /** Server errors and failed jobs, buffered and written to telemetry.error_logs off the request path. */
  errors: ErrorRecorder
}

/** Services over an open runtime database. Tests pass settingsTtlMs 0 so setting changes apply at once. */
export function createServices(config: Config, database: Database, ownerUrl: string, options: { settingsTtlMs?: number } = {}): Services {
  return {
    config,
    db: database.db,
    pool: database.pool,
    box: new SecretBox(config.secretKeyId, config.secretKey),
    settings: new SettingsCache(database.db, config.nodeEnv, options.settingsTtlMs),
    mailer: new Mailer(config.smtp, config.mailFrom),
    ownerUrl,
    errors: new ErrorRecorder(database.db, { environment: config.nodeEnv }),
  }
}
