import pg from 'pg'
import { buildApp, type App } from '../../app.ts'
import { testConfig } from '../../../test/app.ts'
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts'
import { createDatabase, type Database } from '../../platform/db.ts'
import { createServices } from '../../platform/services.ts'
import { requestLogsDropped, requestLogsWritten } from './request-logs.metrics.ts'

/** Test plumbing of the request log: an app started on settings of the test's choosing. */

export interface LoggingApp {
  app: App
  testDb: TestDatabase
  database: Database
  /** Superuser client on the test database, for assertions only. */
  admin: pg.Client
  close(): Promise<void>
}

/**
 * A fresh database whose analytics.* settings are `settings` before the app starts (the
 * writer reads them at start and every flush interval after), and an app on it.
 */
export async function loggingApp(settings: Record<string, string | number | boolean>, env: Record<string, string> = {}): Promise<LoggingApp> {
  const testDb = await createTestDatabase()
  const admin = new pg.Client({ connectionString: testDb.adminUrl })
  await admin.connect()
  await admin.query(`update app.system_settings set setting_value = '100000' where setting_key = 'auth.login_rate_limit_per_minute'`)
  for (const [key, value] of Object.entries(settings)) {
    const { rowCount } = await admin.query('update app.system_settings set setting_value = $2 where setting_key = $1', [key, String(value)])
    if (rowCount !== 1) {
      throw new Error(`no setting ${key}`)
    }
  }
  const database = createDatabase(testDb.runtimeUrl, { max: 10 })
  const services = createServices(testConfig(env), database, testDb.ownerUrl, { settingsTtlMs: 0 })
  const app = await buildApp(services)
  await app.ready()
  let closed = false
  return {
    app,
    testDb,
    database,
    admin,
    async close() {
      if (!closed) {
        closed = true
        await app.close()
      }
      await database.close()
      await admin.end()
    },
  }
}

/** Rows of telemetry.request_logs with these request ids (read as superuser). */
export async function loggedRequests(admin: pg.Client, requestIds: string[]): Promise<pg.QueryResultRow[]> {
  const { rows } = await admin.query('select * from telemetry.request_logs where request_id = any($1) order by "timestamp", id', [requestIds])
  return rows
}

/** Polls until `check` returns true; throws after timeoutMs. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) {
      return Date.now() - started
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export async function droppedCount(reason: string): Promise<number> {
  return (await requestLogsDropped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0
}

export async function writtenCount(): Promise<number> {
  return (await requestLogsWritten.get()).values[0]?.value ?? 0
}
