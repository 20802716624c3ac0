import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Logger, runOnce } from 'graphile-worker'
import pg from 'pg'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../app.ts'
import { createServices, type Services } from '../../platform/services.ts'
import { createTestApp, registerUser, setupAdmin, testConfig, type Session, type TestContext } from '../../../test/app.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { installQueueSchema } from '../jobs/jobs.runner.ts'
import { listPartitions, listTables } from './backup.catalog.ts'
import { backupTasks } from './backup.jobs.ts'
import { MANUAL_BACKUP_TASK } from './backup.queue.ts'
import { scheduledBackup } from './backup.service.ts'
import { backupDirectory } from './backup.store.ts'

/**
 * The admin Backups page's API and the scheduled backup job, on a Tessera whose DATABASE_URL
 * is the superuser URL of the test database (as a self-hosted instance on its own server).
 */

let ctx: TestContext
let services: Services
let ownerOnlyServices: Services
let app: App
let ownerOnly: App
let admin: Session
let member: Session
let home: string

beforeAll(async () => {
  ctx = await createTestApp()
  // As the server does at startup: the API queues "Back up now" into graphile-worker's schema.
  await installQueueSchema(ctx.testDb.ownerUrl)
  admin = await setupAdmin(ctx.app)
  member = await registerUser(ctx.app)
  home = mkdtempSync(path.join(tmpdir(), 'tessera-backups-'))
  services = createServices(testConfig({ DATABASE_URL: ctx.testDb.adminUrl, TESSERA_HOME: home }), ctx.database, ctx.testDb.ownerUrl, { settingsTtlMs: 0 })
  app = await buildApp(services)
  await app.ready()
  // The recommended production setup: DATABASE_URL is the owner role and no TESSERA_BACKUP_DATABASE_URL.
  ownerOnlyServices = createServices(testConfig({ DATABASE_URL: ctx.testDb.ownerUrl, TESSERA_HOME: home }), ctx.database, ctx.testDb.ownerUrl, { settingsTtlMs: 0 })
  ownerOnly = await buildApp(ownerOnlyServices)
  await ownerOnly.ready()
})
afterAll(async () => {
  await app?.close()
  await ownerOnly?.close()
  await ctx.close()
  rmSync(home, { recursive: true, force: true })
})

interface ManualState {
  status: 'idle' | 'queued' | 'running'
  jobId: string | null
  queuedAt: string | null
  startedAt: string | null
  lastRun: { outcome: 'succeeded' | 'failed'; startedAt: string; finishedAt: string; backup: string | null; error: string | null } | null
}

const list = async () => {
  const response = await app.inject({ method: 'GET', url: '/api/v1/admin/backups', headers: admin.headers })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { directory: string; manual: ManualState; schedule: Record<string, unknown>; backups: Array<{ name: string; bytes: number; rows: number; method: string; error: string | null }> }
}

const backUpNow = () => app.inject({ method: 'POST', url: '/api/v1/admin/backups', headers: admin.headers })

/** A graphile-worker run over the queue until it is empty, with the manual backup task of `workerServices` (the worker's configuration). */
async function runWorker(workerServices: Services = services): Promise<void> {
  // graphile-worker wants every pool client to have an error handler, as the worker's runner gives them.
  if (ctx.database.pool.listenerCount('connect') === 0) ctx.database.pool.on('connect', (client) => client.on('error', () => undefined))
  const runtime = testRuntime(workerServices, ctx.database, ctx.testDb)
  const task = backupTasks(runtime, pino({ level: 'silent' }))[MANUAL_BACKUP_TASK]!
  await runOnce({ pgPool: ctx.database.pool, taskList: { [MANUAL_BACKUP_TASK]: task }, logger: new Logger(() => () => undefined) })
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
    expect(body.manual).toEqual({ status: 'idle', jobId: null, queuedAt: null, startedAt: null, lastRun: null })
    expect(body.backups).toEqual([])
  })

  it('queues a backup that the worker writes, one at a time, keeps backup.retention_count, and downloads the archive', async () => {
    await ctx.admin.query(`update app.system_settings set setting_value = '2' where setting_key = 'backup.retention_count'`)
    const names: string[] = []
    for (let i = 0; i < 3; i++) {
      const response = await backUpNow()
      expect(response.statusCode, response.body).toBe(202)
      const queued = response.json() as { jobId: string; status: string; queuedAt: string }
      expect(queued).toMatchObject({ jobId: expect.stringMatching(/^\d+$/), status: 'queued' })
      // Nothing is written inside the request.
      const waiting = await list()
      expect(waiting.manual).toMatchObject({ status: 'queued', jobId: queued.jobId, queuedAt: queued.queuedAt, startedAt: null })
      expect(waiting.backups.map((b) => b.name)).toEqual(names.slice(-2).reverse())

      const again = await backUpNow()
      expect(again.statusCode).toBe(409)
      expect(again.json().error).toMatchObject({ code: 'backup_in_progress', message: expect.stringContaining('already queued'), details: { jobId: queued.jobId } })

      await runWorker()
      const { manual, backups } = await list()
      expect(manual).toMatchObject({ status: 'idle', jobId: null, lastRun: { outcome: 'succeeded', error: null, backup: expect.stringMatching(/^tessera-backup-/) } })
      expect(backups[0]!.name).toBe(manual.lastRun!.backup)
      expect(backups[0]!.error).toBeNull()
      expect(backups[0]!.rows).toBeGreaterThan(0)
      names.push(manual.lastRun!.backup!)
    }
    expect(new Set(names).size).toBe(3)
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

  it('answers 409 with what to configure when DATABASE_URL is the owner role, without queueing', async () => {
    const response = await ownerOnly.inject({ method: 'POST', url: '/api/v1/admin/backups', headers: admin.headers })
    expect(response.statusCode).toBe(409)
    expect(response.json().error).toMatchObject({ code: 'backup_unavailable', message: expect.stringContaining('TESSERA_BACKUP_DATABASE_URL') })
    expect((await list()).manual.status).toBe('idle')
  })

  it('shows a backup being written, and answers 409 meanwhile', async () => {
    const queued = (await backUpNow()).json() as { jobId: string }
    // As a worker does when it takes the job.
    await ctx.admin.query(`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test-worker', attempts = 1 where id = $1`, [queued.jobId])
    const running = await list()
    expect(running.manual).toMatchObject({ status: 'running', jobId: queued.jobId, startedAt: expect.any(String) })
    const again = await backUpNow()
    expect(again.statusCode).toBe(409)
    expect(again.json().error.message).toContain('being written')
    await ctx.admin.query(`update graphile_worker._private_jobs set locked_at = null, locked_by = null, attempts = 0 where id = $1`, [queued.jobId])
    await runWorker()
    expect((await list()).manual).toMatchObject({ status: 'idle', lastRun: { outcome: 'succeeded' } })
  }, 60_000)

  it('keeps the error of a failed backup in view until the next one, which it does not block', async () => {
    const before = (await list()).backups.map((b) => b.name)
    expect((await backUpNow()).statusCode).toBe(202)
    // The worker's configuration lacks the privileged connection the API's has.
    await runWorker(ownerOnlyServices)
    const failed = await list()
    expect(failed.manual).toMatchObject({ status: 'idle', jobId: null, lastRun: { outcome: 'failed', backup: null, error: expect.stringContaining('TESSERA_BACKUP_DATABASE_URL') } })
    expect(failed.backups.map((b) => b.name)).toEqual(before)
    expect((await list()).manual.lastRun?.outcome).toBe('failed')

    expect((await backUpNow()).statusCode).toBe(202)
    await runWorker()
    const after = await list()
    expect(after.manual.lastRun).toMatchObject({ outcome: 'succeeded', error: null })
    // The failed job was cleared from the queue when the next one was queued.
    const { rows } = await ctx.admin.query(`select count(*)::int as n from graphile_worker.jobs where task_identifier = $1`, [MANUAL_BACKUP_TASK])
    expect(rows[0].n).toBe(0)
  }, 60_000)
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
