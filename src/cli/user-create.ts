import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { Config } from '../platform/config.ts'
import { withContext } from '../platform/db.ts'
import { startRuntime } from '../platform/runtime.ts'
import { emailRegistered, insertUser } from '../modules/auth/auth.service.ts'

/** `tessera user create`: an active, verified user; `--admin` also makes them instance administrator. */
export async function createUserFromCli(config: Config, options: { email: string; password: string; name?: string; admin?: boolean }): Promise<void> {
  const runtime = await startRuntime(config, { migrate: true, log: () => undefined, poolSize: 2 })
  try {
    const id = randomUUID()
    await withContext(runtime.services.db, { userId: id }, async (trx) => {
      if (await emailRegistered(trx, options.email)) {
        throw new Error(`a user with email ${options.email} already exists`)
      }
      await insertUser(runtime.services, trx, id, { email: options.email, password: options.password, name: options.name ?? options.email.split('@')[0] ?? options.email, emailVerified: true })
    })
    if (options.admin) {
      // Granting the instance role is an operator action: it runs as the owner role.
      const owner = new pg.Client({ connectionString: runtime.ownerUrl })
      await owner.connect()
      try {
        await owner.query('select private.grant_instance_admin($1)', [id])
      } finally {
        await owner.end()
      }
    }
    process.stdout.write(`created user ${options.email} (${id})${options.admin ? ' as instance administrator' : ''}\n`)
  } finally {
    await runtime.close()
  }
}
