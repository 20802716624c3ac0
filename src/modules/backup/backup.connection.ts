import { existsSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { Config } from '../../platform/config.ts'
import { databaseName, inspectConnection, withCredentials, type ConnectionInfo } from '../../platform/database-roles.ts'
import type { EmbeddedHandle } from '../../platform/embedded-postgres.ts'
import { connectDatabase } from '../../platform/runtime.ts'

/**
 * The connection a backup or restore runs on. Every table forces Row-Level Security on the
 * owner role too, so neither reading every organization's rows nor writing them back works as
 * the owner: a backup needs a superuser or a BYPASSRLS role, a restore a superuser (it loads
 * with session_replication_role = replica, so triggers and foreign-key checks do not fire on
 * rows that already passed them once).
 *  - embedded PostgreSQL: its superuser, on the `tessera` database;
 *  - DATABASE_URL: itself when it is a superuser URL, otherwise TESSERA_BACKUP_DATABASE_URL.
 */
export interface BackupConnection {
  /** The privileged URL, on the Tessera database. */
  url: string
  info: ConnectionInfo
  /** The owner role's URL (migrations and DDL on restore). */
  ownerUrl: string
  embedded: EmbeddedHandle | undefined
  close(): Promise<void>
}

const EMBEDDED_DATABASE = 'tessera'

async function inspect(url: string, name: string): Promise<ConnectionInfo> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  try {
    await client.connect()
  } catch (error) {
    throw new Error(`cannot connect to ${name}: ${(error as Error).message}`)
  }
  try {
    return await inspectConnection(client)
  } finally {
    await client.end()
  }
}

export async function connectForBackup(config: Config, purpose: 'backup' | 'restore'): Promise<BackupConnection> {
  if (!config.databaseUrl && purpose === 'backup' && !existsSync(path.join(config.home, 'postgres', 'data', 'PG_VERSION'))) {
    throw new Error(`there is no Tessera database to back up: TESSERA_HOME (${config.home}) has no embedded PostgreSQL and DATABASE_URL is not set`)
  }
  const { ownerUrl, embedded } = await connectDatabase(config, () => undefined)
  try {
    let url: string
    let name: string
    if (embedded) {
      const admin = new URL(embedded.adminUrl)
      url = withCredentials(embedded.adminUrl, decodeURIComponent(admin.username), decodeURIComponent(admin.password), EMBEDDED_DATABASE)
      name = 'the embedded PostgreSQL'
    } else {
      const direct = await inspect(config.databaseUrl!, 'DATABASE_URL')
      if (direct.isSuperuser && !config.databaseBackupUrl) {
        return { url: config.databaseUrl!, info: direct, ownerUrl, embedded, close: async () => undefined }
      }
      if (!config.databaseBackupUrl) {
        throw new Error(
          purpose === 'backup'
            ? `DATABASE_URL connects as "${direct.user}", which Row-Level Security keeps from reading every organization's rows; set TESSERA_BACKUP_DATABASE_URL to a superuser or BYPASSRLS connection to the same database`
            : `DATABASE_URL connects as "${direct.user}", which cannot load rows past Row-Level Security and triggers; set TESSERA_BACKUP_DATABASE_URL to a superuser connection to the same database`,
        )
      }
      url = config.databaseBackupUrl
      name = 'TESSERA_BACKUP_DATABASE_URL'
      if (databaseName(url) !== databaseName(config.databaseUrl!)) {
        throw new Error(`TESSERA_BACKUP_DATABASE_URL names database "${databaseName(url)}" but DATABASE_URL names "${databaseName(config.databaseUrl!)}"; both must connect to the same database`)
      }
    }
    const info = await inspect(url, name)
    if (purpose === 'restore' && !info.isSuperuser) {
      throw new Error(`${name} connects as "${info.user}", which is not a superuser; a restore loads rows with triggers off (session_replication_role = replica), which needs a superuser`)
    }
    if (purpose === 'backup' && !info.isSuperuser && !info.bypassRls) {
      throw new Error(`${name} connects as "${info.user}", which is neither a superuser nor BYPASSRLS, so Row-Level Security would hide rows from the backup`)
    }
    return { url, info, ownerUrl, embedded, close: async () => embedded?.stop() }
  } catch (error) {
    await embedded?.stop()
    throw error
  }
}
