import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readMigrations } from '../../src/platform/migrate.ts'
import { PASSWORD, uniqueEmail } from '../app.ts'
import { createTestDatabase, type TestDatabase } from '../database.ts'
import { runTessera, TESSERA_BIN, tesseraEnv } from './run.ts'

const TIMEOUT_MS = 60_000

let testDb: TestDatabase
let admin: pg.Client
let home: string

beforeAll(async () => {
  testDb = await createTestDatabase()
  admin = new pg.Client({ connectionString: testDb.adminUrl })
  await admin.connect()
  home = mkdtempSync(path.join(tmpdir(), 'tessera-cli-'))
})
afterAll(async () => {
  await admin.end()
  rmSync(home, { recursive: true, force: true })
})

const cliEnv = (env: Record<string, string | undefined> = {}) => tesseraEnv({ databaseUrl: testDb.adminUrl, home, env })
const tessera = (args: string[], env: Record<string, string | undefined> = {}) => runTessera(args, { databaseUrl: testDb.adminUrl, home, env, timeoutMs: TIMEOUT_MS })

describe('tessera --help', () => {
  const COMMANDS = [[], ['start'], ['serve'], ['worker'], ['migrate'], ['user'], ['user', 'create'], ['settings'], ['settings', 'get'], ['settings', 'set']]

  it('describes every command and exits 0', async () => {
    const results = await Promise.all(COMMANDS.map((command) => tessera([...command, '--help'])))
    results.forEach((result, index) => {
      const command = COMMANDS[index]!
      expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(0)
      expect(result.stdout).toContain(`Usage: tessera${command.length ? ` ${command.join(' ')}` : ''} `)
    })
    expect(results[0]!.stdout).toMatch(/migrate[\s\S]*user[\s\S]*settings/)
  }, 2 * TIMEOUT_MS)
})

describe('tessera migrate --status', () => {
  it('lists every migration as applied', async () => {
    const result = await tessera(['migrate', '--status'])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    const files = readMigrations()
    expect(lines).toHaveLength(files.length)
    files.forEach((file, index) => {
      expect(lines[index]).toMatch(new RegExp(`^${file.version}\\s+applied\\s+${file.name}\\b`))
    })
  })
})

describe('tessera user create', () => {
  it('creates a verified instance administrator', async () => {
    const email = uniqueEmail('cli-admin')
    const result = await tessera(['user', 'create', '--email', email, '--password', PASSWORD, '--name', 'CLI Admin', '--admin'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`created user ${email}`)
    const { rows } = await admin.query(
      `select u.display_name, u.status, u.email_verified,
              exists (select 1 from auth.user_roles ur join auth.roles r on r.id = ur.role_id where ur.user_id = u.id and r.name = 'instance_admin') as admin
         from auth.users u where u.email = $1`,
      [email],
    )
    expect(rows).toEqual([{ display_name: 'CLI Admin', status: 'active', email_verified: true, admin: true }])
  })

  it('refuses a duplicate email with a one-line reason', async () => {
    const email = uniqueEmail('cli-dup')
    expect((await tessera(['user', 'create', '--email', email, '--password', PASSWORD])).code).toBe(0)
    const result = await tessera(['user', 'create', '--email', email.toUpperCase(), '--password', PASSWORD])
    expect(result.code).not.toBe(0)
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('already exists')])
    const { rows } = await admin.query('select count(*)::int as n from auth.users where email = $1', [email])
    expect(rows[0].n).toBe(1)
  })
})

describe('tessera settings', () => {
  it('reads, changes and validates a setting', async () => {
    const initial = await tessera(['settings', 'get', 'auth.max_login_attempts'])
    expect(initial.code, initial.stderr).toBe(0)
    expect(initial.stdout).toBe('5\n')

    const set = await tessera(['settings', 'set', 'auth.max_login_attempts', '7', '--reason', 'cli test'])
    expect(set.code, set.stderr).toBe(0)
    expect((await tessera(['settings', 'get', 'auth.max_login_attempts'])).stdout).toBe('7\n')
    const { rows } = await admin.query("select setting_value, last_modified_reason from app.system_settings where setting_key = 'auth.max_login_attempts'")
    expect(rows[0]).toEqual({ setting_value: '7', last_modified_reason: 'cli test' })

    const invalid = await tessera(['settings', 'set', 'auth.max_login_attempts', '0'])
    expect(invalid.code).not.toBe(0)
    expect(invalid.stderr).toContain('must be at least 1')
    expect((await tessera(['settings', 'get', 'auth.max_login_attempts'])).stdout).toBe('7\n')
  })
})

describe('configuration errors', () => {
  it('lists every problem of an invalid configuration and exits non-zero', async () => {
    const result = await tessera(['migrate', '--status'], { NODE_ENV: 'production', PORT: 'abc', TESSERA_SECRET_KEY: undefined })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('PORT must be a port number')
    expect(result.stderr).toContain('TESSERA_SECRET_KEY is required in production')
  })

  it('refuses a well-known default secret in production', async () => {
    const result = await tessera(['migrate', '--status'], { NODE_ENV: 'production', PUBLIC_URL: 'https://tessera.example.com', TESSERA_SECRET_KEY: 'changeme' })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('TESSERA_SECRET_KEY is a well-known default value')
  })
})

describe('tessera start', () => {
  it('serves /api/health on the port it prints and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [TESSERA_BIN, 'start'], { env: cliEnv({ PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        exit = { code, signal }
        resolve(exit)
      }),
    )
    try {
      const deadline = Date.now() + TIMEOUT_MS
      let url: string | undefined
      let status = 0
      while (Date.now() < deadline && !exit) {
        url ??= /Tessera is running at (http:\/\/\S+)/.exec(output)?.[1]
        if (url) {
          status = await fetch(`${url}/api/health`).then((response) => response.status, () => 0)
          if (status === 200) {
            break
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
      expect(exit, output).toBeUndefined()
      expect(url, output).toMatch(/^http:\/\/[^:]+:[1-9]\d*$/)
      expect(status, output).toBe(200)
      child.kill('SIGTERM')
      expect(await exited).toEqual({ code: 0, signal: null })
    } finally {
      child.kill('SIGKILL')
    }
  }, 2 * TIMEOUT_MS)
})
