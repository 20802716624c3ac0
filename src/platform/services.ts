import type { Kysely } from 'kysely'
import type pg from 'pg'
import type { Config } from './config.ts'
import type { SecretBox } from './crypto.ts'
import type { DB } from './db.ts'
import type { Mailer } from './mailer.ts'
import type { SettingsCache } from './settings-cache.ts'

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
}
