import pg from 'pg'
import type { Config } from './config.ts'
import { sha256 } from './crypto.ts'
import { createDatabase, type Database } from './db.ts'
import { assertSafeRuntimeRole, resolveConnections, withCredentials } from './database-roles.ts'
import { startEmbeddedPostgres, type EmbeddedHandle } from './embedded-postgres.ts'
import { migrate, migrationStatus } from './migrate.ts'
import { createServices, type Services } from './services.ts'

const EMBEDDED_DATABASE = 'tessera'

export interface Runtime {
  services: Services
  database: Database
  ownerUrl: string
  runtimeUrl: string
  embedded: EmbeddedHandle | undefined
  close(): Promise<void>
}

/** Where the database is: DATABASE_URL, or the embedded cluster in TESSERA_HOME (started or attached). */
export async function connectDatabase(config: Config, log: (message: string) => void): Promise<{ ownerUrl: string; runtimeUrl: string; embedded?: EmbeddedHandle }> {
  if (config.databaseUrl) {
    const urls = await resolveConnections(config.databaseUrl, config.databaseRuntimeUrl, config.secretKey)
    return urls
  }
  const embedded = await startEmbeddedPostgres(config.home, { port: config.embeddedPgPort, log: (line) => log(line.trim()) })
  try {
    const adminUrl = withCredentials(embedded.adminUrl, 'postgres', decodeURIComponent(new URL(embedded.adminUrl).password), EMBEDDED_DATABASE)
    const urls = await resolveConnections(adminUrl, undefined, config.secretKey)
    return { ...urls, embedded }
  } catch (error) {
    await embedded.stop()
    throw error
  }
}

/**
 * Boots everything a process needs: database (migrated when `migrate` is set, otherwise
 * refused if migrations are pending), runtime pool, settings, mailer.
 */
export async function startRuntime(
  config: Config,
  options: { migrate: boolean; log: (message: string) => void; notice?: (message: string) => void; poolSize?: number },
): Promise<Runtime> {
  const { ownerUrl, runtimeUrl, embedded } = await connectDatabase(config, options.log)
  try {
    if (options.migrate) {
      const applied = await migrate(ownerUrl, { log: options.log })
      if (applied.length > 0) {
        options.log(`applied ${applied.length} migration(s)`)
      }
    } else {
      const pending = (await migrationStatus(ownerUrl)).filter((m) => m.state !== 'applied')
      if (pending.length > 0) {
        throw new Error(`${pending.length} migration(s) are not applied (${pending.map((m) => `${m.version} ${m.state}`).join(', ')}); run \`tessera migrate\``)
      }
    }
    await ensureSetupToken(ownerUrl, config, options.notice ?? options.log)
    const database = createDatabase(runtimeUrl, { max: options.poolSize ?? config.databasePoolSize })
    const probe = await database.pool.connect()
    try {
      await assertSafeRuntimeRole(probe)
    } finally {
      probe.release()
    }
    const services = createServices(config, database, ownerUrl)
    return {
      services,
      database,
      ownerUrl,
      runtimeUrl,
      embedded,
      async close() {
        await database.close()
        await embedded?.stop()
      },
    }
  } catch (error) {
    await embedded?.stop()
    throw error
  }
}

/**
 * In production the first visitor must present a setup token, printed once at start
 * (or given as TESSERA_SETUP_TOKEN); only its hash is stored, and it is destroyed on use.
 */
async function ensureSetupToken(ownerUrl: string, config: Config, log: (message: string) => void): Promise<void> {
  if (!config.isProduction && !config.setupToken) {
    return
  }
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ completed_at: Date | null; token_hash: string | null }>('select completed_at, token_hash from ops.instance_setup where id = 1')
    const row = rows[0]
    if (!row || row.completed_at) {
      return
    }
    const token = config.setupToken ?? (await import('./crypto.ts')).randomToken(18)
    await client.query('update ops.instance_setup set token_hash = $1 where id = 1 and completed_at is null', [sha256(token)])
    if (!config.setupToken) {
      log(`first-run setup token (needed once, to create the administrator): ${token}`)
    }
  } finally {
    await client.end()
  }
}
