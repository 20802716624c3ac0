import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { APP_ROLE, OWNER_ROLE, derivedRolePassword, withCredentials } from '../src/platform/database-roles.ts'
import { TEST_SECRET_KEY } from './secret.ts'

export interface TestDatabase {
  name: string
  adminUrl: string
  ownerUrl: string
  runtimeUrl: string
}

function adminFor(database: string): string {
  const url = new URL(inject('adminUrl'))
  return withCredentials(inject('adminUrl'), decodeURIComponent(url.username), decodeURIComponent(url.password), database)
}

/** A fresh database cloned from the migrated template; each test file makes its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `t_${inject('testRunId')}_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminFor('postgres') })
  await admin.connect()
  try {
    // Cloning fails if another session is connected to the template at that instant; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${inject('templateDatabase')} owner ${OWNER_ROLE}`)
        break
      } catch (error) {
        if (attempt > 20 || (error as { code?: string }).code !== '55006') {
          throw error
        }
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200))
      }
    }
  } finally {
    await admin.end()
  }
  const base = adminFor(name)
  return {
    name,
    adminUrl: base,
    ownerUrl: withCredentials(base, OWNER_ROLE, derivedRolePassword(TEST_SECRET_KEY, OWNER_ROLE), name),
    runtimeUrl: withCredentials(base, APP_ROLE, derivedRolePassword(TEST_SECRET_KEY, APP_ROLE), name),
  }
}
