import type { Database } from '../src/platform/db.ts'
import type { Runtime } from '../src/platform/runtime.ts'
import type { Services } from '../src/platform/services.ts'

/**
 * A Runtime over an existing test database, for job runners and task handlers. It owns
 * nothing: closing it is a no-op, the test closes its own database.
 * (No vitest imports: the recovery test's child process uses it too.)
 */
export function testRuntime(services: Services, database: Database, urls: { ownerUrl: string; runtimeUrl: string }): Runtime {
  return {
    services,
    database,
    ownerUrl: urls.ownerUrl,
    runtimeUrl: urls.runtimeUrl,
    embedded: undefined,
    async close() {},
  }
}
