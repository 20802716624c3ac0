import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, uniqueEmail } from '../app.ts'
import { createTestDatabase, type TestDatabase } from '../database.ts'
import { runTessera } from './run.ts'

const TIMEOUT_MS = 120_000

let testDb: TestDatabase
let admin: pg.Client
let home: string

beforeAll(async () => {
  testDb = await createTestDatabase()
  admin = new pg.Client({ connectionString: testDb.adminUrl })
  await admin.connect()
  home = mkdtempSync(path.join(tmpdir(), 'tessera-demo-cli-'))
})
afterAll(async () => {
  await admin.end()
  rmSync(home, { recursive: true, force: true })
})

const tessera = (args: string[]) => runTessera(args, { databaseUrl: testDb.adminUrl, home, timeoutMs: TIMEOUT_MS })

const count = (stdout: string, label: string) => Number(new RegExp(`${label}: ([\\d,]+)`).exec(stdout)?.[1]?.replace(/,/g, '') ?? Number.NaN)

describe('tessera demo', () => {
  it('needs an administrator or --email, and refuses bad options with a one-line reason', async () => {
    const none = await tessera(['demo', '--days', '1'])
    expect(none.code).not.toBe(0)
    expect(none.stderr.trim().split('\n')).toEqual([expect.stringContaining('no instance administrator')])
    const unknown = await tessera(['demo', '--days', '1', '--email', 'nobody@example.com'])
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toContain('no active user with email nobody@example.com')
    const zero = await tessera(['demo', '--days', '0'])
    expect(zero.code).not.toBe(0)
    expect(zero.stderr).toContain('--days must be a whole number from 1 to 365')
    const { rows } = await admin.query('select count(*)::int as n from app.organizations')
    expect(rows[0].n).toBe(0)
  }, 3 * TIMEOUT_MS)

  it("loads the demo for the only administrator, prints the counts, and they match what is stored", async () => {
    const email = uniqueEmail('demo-admin')
    expect((await tessera(['user', 'create', '--email', email, '--password', PASSWORD, '--admin'])).code).toBe(0)
    const result = await tessera(['demo', '--days', '2'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`for ${email}`)
    expect(result.stdout).toMatch(/created organization acme-demo \(/)
    expect(result.stdout).toMatch(/duration: \d+\.\d s/)
    const { rows } = await admin.query(
      `select o.id, o.name, m.role, u.email,
              (select count(*)::int from ts.time_series_data d where d.organization_id = o.id) + (select count(*)::int from ts.time_series_late d where d.organization_id = o.id) as points,
              (select count(*)::int from ingest.pipeline_data d where d.organization_id = o.id) as records,
              (select count(*)::int from app.dashboards d where d.organization_id = o.id) as dashboards
         from app.organizations o join app.organization_members m on m.organization_id = o.id join auth.users u on u.id = m.user_id
        where o.slug = 'acme-demo'`,
    )
    expect(rows).toEqual([expect.objectContaining({ name: 'Acme Demo', role: 'owner', email, dashboards: 4 })])
    expect(rows[0].points).toBe(count(result.stdout, 'metric points'))
    expect(rows[0].records).toBe(count(result.stdout, 'pipeline records'))
    expect(rows[0].points).toBeGreaterThan(1000)
  }, 3 * TIMEOUT_MS)

  it('asks for --email when there are several administrators, and loads a second organization with it', async () => {
    const second = uniqueEmail('demo-admin-2')
    expect((await tessera(['user', 'create', '--email', second, '--password', PASSWORD, '--admin'])).code).toBe(0)
    const ambiguous = await tessera(['demo', '--days', '1'])
    expect(ambiguous.code).not.toBe(0)
    expect(ambiguous.stderr).toContain('there are 2 instance administrators')
    const chosen = await tessera(['demo', '--days', '1', '--email', second])
    expect(chosen.code, chosen.stderr).toBe(0)
    expect(chosen.stdout).toMatch(/created organization acme-demo-2 \(/)
    const { rows } = await admin.query(
      `select u.email from app.organizations o join app.organization_members m on m.organization_id = o.id join auth.users u on u.id = m.user_id where o.slug = 'acme-demo-2'`,
    )
    expect(rows).toEqual([{ email: second }])
  }, 4 * TIMEOUT_MS)
})
