import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { buildApp, type App } from '../src/app.ts'
import { loadConfig, type Config } from '../src/platform/config.ts'
import { createDatabase, type Database } from '../src/platform/db.ts'
import { createServices, type Services } from '../src/platform/services.ts'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { TEST_SECRET_KEY } from './secret.ts'

export interface TestContext {
  app: App
  services: Services
  database: Database
  testDb: TestDatabase
  /** Superuser client on the test database, for assertions and clock tricks only. */
  admin: pg.Client
  close(): Promise<void>
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    TESSERA_HOME: '.tessera/test-home',
    TESSERA_SECRET_KEY: TEST_SECRET_KEY.toString('utf8'),
    PUBLIC_URL: 'http://tessera.test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  })
}

/** A fresh database and an app on it, connected as the runtime role (RLS live). */
export async function createTestApp(options: { env?: Record<string, string>; poolSize?: number; keepLoginRateLimit?: boolean } = {}): Promise<TestContext> {
  const testDb = await createTestDatabase()
  const config = testConfig(options.env)
  const database = createDatabase(testDb.runtimeUrl, { max: options.poolSize ?? 10 })
  const services = createServices(config, database, testDb.ownerUrl, { settingsTtlMs: 0 })
  const app = await buildApp(services)
  await app.ready()
  const admin = new pg.Client({ connectionString: testDb.adminUrl })
  await admin.connect()
  if (!options.keepLoginRateLimit) {
    // Suites sign in many times from one address; the per-IP limit has tests of its own.
    await admin.query(`update app.system_settings set setting_value = '100000' where setting_key = 'auth.login_rate_limit_per_minute'`)
  }
  return {
    app,
    services,
    database,
    testDb,
    admin,
    async close() {
      await app.close()
      await database.close()
      await admin.end()
    },
  }
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`
}

export const PASSWORD = 'correct horse battery staple'

export interface Session {
  userId: string
  email: string
  cookie: string
  csrf: string
  /** Headers for a state-changing request with this session. */
  headers: Record<string, string>
}

/** The session cookie (name=value) of a response that set one. */
export function cookieFrom(setCookie: string | string[] | undefined): string {
  const raw = Array.isArray(setCookie) ? setCookie[0] : setCookie
  if (!raw) {
    throw new Error('no session cookie in response')
  }
  return raw.split(';')[0] ?? ''
}

export function cookieOf(response: { headers: Record<string, unknown> }): string {
  return cookieFrom(response.headers['set-cookie'] as string | string[] | undefined)
}

export async function login(app: App, email: string, password = PASSWORD): Promise<Session> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  if (response.statusCode !== 200) {
    throw new Error(`login failed: ${response.statusCode} ${response.body}`)
  }
  const body = response.json() as { user: { id: string }; csrfToken: string }
  const cookie = cookieFrom(response.headers['set-cookie'])
  return { userId: body.user.id, email, cookie, csrf: body.csrfToken, headers: { cookie, 'x-csrf-token': body.csrfToken } }
}

/** Registers (through the API) and signs in a new user. */
export async function registerUser(app: App, options: { email?: string; name?: string } = {}): Promise<Session> {
  const email = options.email ?? uniqueEmail()
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, name: options.name ?? 'Test User' } })
  if (response.statusCode !== 202) {
    throw new Error(`register failed: ${response.statusCode} ${response.body}`)
  }
  return login(app, email)
}

/** First-run setup: the instance administrator. */
export async function setupAdmin(app: App): Promise<Session> {
  const email = uniqueEmail('admin')
  const response = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { email, password: PASSWORD, name: 'Instance Admin' } })
  if (response.statusCode !== 201) {
    throw new Error(`setup failed: ${response.statusCode} ${response.body}`)
  }
  const body = response.json() as { user: { id: string }; csrfToken: string }
  const cookie = cookieFrom(response.headers['set-cookie'])
  return { userId: body.user.id, email, cookie, csrf: body.csrfToken, headers: { cookie, 'x-csrf-token': body.csrfToken } }
}
