import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../app.ts'
import { createServices } from '../../platform/services.ts'
import { createTestApp, registerUser, setupAdmin, testConfig, type Session, type TestContext } from '../../../test/app.ts'
import { listPartitions, listTables } from './backup.catalog.ts'
import { scheduledBackup } from './backup.service.ts'
import { backupDirectory } from './backup.store.ts'

/**
 * The admin Backups page's API and the scheduled backup job, on a Tessera whose DATABASE_URL
 * is the superuser URL of the test database (as a self-hosted instance on its own server).
 */

let ctx: TestContext
let app: App
let ownerOnly: App
let admin: Session
let member: Session
let home: string

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  member = await registerUser(ctx.app)
  home = mkdtempSync(path.join(tmpdir(), 'tessera-backups-'))
  app = await buildApp(createServices(testConfig({ DATABASE_URL: ctx.testDb.adminUrl, TESSERA_HOME: home }), ctx.database, ctx.testDb.ownerUrl, { settingsTtlMs: 0 }))
  await app.ready()
  // The recommended production setup: DATABASE_URL is the owner role and no TESSERA_BACKUP_DATABASE_URL.
  ownerOnly = await buildApp(createServices(testConfig({ DATABASE_URL: ctx.testDb.ownerUrl, TESSERA_HOME: home }), ctx.database, ctx.testDb.ownerUrl, { settingsTtlMs: 0 }))
  await ownerOnly.ready()
})
afterAll(async () => {
  await app?.close()
  await ownerOnly?.close()
  await ctx.close()
  rmSync(home, { recursive: true, force: true })
})

const list = async () => {
  const response = await app.inject({ method: 'GET', url: '/api/v1/admin/backups', headers: admin.headers })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { directory: string; schedule: Record<string, unknown>; backups: Array<{ name: string; bytes: number; rows: number; method: string; error: string | null }> }
}

describe('/api/v1/admin/backups', () => {
  it('is for instance administrators only', async () => {
    for (const request of [{ method: 'GET' as const, url: '/api/v1/admin/backups' }, { method: 'POST' as const, url: '/api/v1/admin/backups' }, { method: 'GET' as const, url: '/api/v1/admin/backups/tessera-backup-20260101T000000Z.tar' }]) {
      const response = await app.inject({ ...request, headers: member.headers })
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403)
      expect(response.json().error.code).toBe('forbidden')
    }
  })

  it('lists nothing at first, with the schedule settings', async () => {
    const body = await list()
    expect(body.directory).toBe(backupDirectory(testConfig({ TESSERA_HOME: home })))
    expect(body.schedule).toEqual({ enabled: true, frequencyHours: 24, retentionCount: 7 })
    expect(body.backups).toEqual([])
  })

  it('backs up now, keeps backup.retention_count, and downloads the archive', async () => {
    await ctx.admin.query(`update app.system_settings set setting_value = '2' where setting_key = 'backup.retention_count'`)
    const names: string[] = []
    const deleted: string[][] = []
    for (let i = 0; i < 3; i++) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/admin/backups', headers: admin.headers })
      expect(response.statusCode, response.body).toBe(201)
      const body = response.json() as { backup: { name: string; rows: number; error: string | null }; deleted: string[] }
      expect(body.backup.error).toBeNull()
      expect(body.backup.rows).toBeGreaterThan(0)
      names.push(body.backup.name)
      deleted.push(body.deleted)
    }
    expect(new Set(names).size).toBe(3)
    expect(deleted).toEqual([[], [], [names[0]]])
    const listed = await list()
    expect(listed.backups.map((b) => b.name)).toEqual([names[2], names[1]])
    expect(listed.schedule.retentionCount).toBe(2)

    const download = await app.inject({ method: 'GET', url: `/api/v1/admin/backups/${names[2]}`, headers: admin.headers })
    expect(download.statusCode).toBe(200)
    expect(download.headers['content-type']).toBe('application/x-tar')
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${names[2]}"`)
    const onDisk = readFileSync(path.join(listed.directory, names[2]!))
    expect(createHash('sha256').update(download.rawPayload).digest('hex')).toBe(createHash('sha256').update(onDisk).digest('hex'))
    expect(download.rawPayload.toString('utf8', 0, 13)).toBe('manifest.json')
  }, 120_000)

  it('answers 404 for a backup that is not there and 400 for a name that is not a backup', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/v1/admin/backups/tessera-backup-20000101T000000Z.tar', headers: admin.headers })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('not_found')
    const bad = await app.inject({ method: 'GET', url: `/api/v1/admin/backups/${encodeURIComponent('../secret-key')}`, headers: admin.headers })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('validation_failed')
  })

  it('answers 409 with what to configure when DATABASE_URL is the owner role', async () => {
    const response = await ownerOnly.inject({ method: 'POST', url: '/api/v1/admin/backups', headers: admin.headers })
    expect(response.statusCode).toBe(409)
    expect(response.json().error).toMatchObject({ code: 'conflict', message: expect.stringContaining('TESSERA_BACKUP_DATABASE_URL') })
  })
})

describe('scheduled backups', () => {
  it('write a backup when the newest is older than backup_frequency_hours, and not before', async () => {
    const config = testConfig({ DATABASE_URL: ctx.testDb.adminUrl, TESSERA_HOME: home })
    const settings = { enabled: true, frequencyHours: 24, keep: 2 }
    expect(await scheduledBackup(config, { ...settings, enabled: false })).toEqual({ outcome: 'disabled' })
    expect(await scheduledBackup(config, settings)).toEqual({ outcome: 'not_due' })
    const before = (await list()).backups.map((b) => b.name)
    const due = await scheduledBackup(config, settings, new Date(Date.now() + 25 * 3_600_000))
    expect(due.outcome).toBe('written')
    expect(due.deleted).toEqual([before[1]])
    expect((await list()).backups.map((b) => b.name)).toEqual([due.name, before[0]])
  }, 60_000)
})

describe('what a backup reads', () => {
  it('leaves out a former partition between its detach and its drop, and keeps the attached ones', async () => {
    const { rows } = await ctx.admin.query<{ partition_table: string }>(
      `select partition_table from ops.partitions where parent_table = 'ts.time_series_data' and state = 'attached' order by range_start limit 2`,
    )
    const [detached, attached] = rows.map((row) => row.partition_table)
    await ctx.admin.query(`alter table ts.time_series_data detach partition ${detached}`)
    await ctx.admin.query(`update ops.partitions set state = 'compressed' where partition_table = $1`, [detached])
    const client = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await client.connect()
    try {
      const names = (await listTables(client)).map((table) => table.name)
      expect(names).toContain(attached)
      expect(names).not.toContain(detached)
      expect((await listPartitions(client)).map((p) => p.name)).toContain(attached)
    } finally {
      await client.end()
    }
  })
})
