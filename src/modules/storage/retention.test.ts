import { mkdtemp } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listArchives, readArchive } from './archive.ts'
import { applyRetention } from './storage.jobs.ts'
import { DAY_MS, asOwner, dayStart, insertPoints, randomPoints, storageTestDb, type StorageTestDb } from './storage.fixtures.ts'

/** ops:retention and ops.cleanup_old_data on real PostgreSQL, with archive-before-delete. */

let db: StorageTestDb
let archiveDir: string
const now = new Date()
async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const row of rows) {
    all.push(row)
  }
  return all
}
const name = (d: Date) => `ts.time_series_data_${d.toISOString().slice(0, 10).replace(/-/g, '_')}`

beforeAll(async () => {
  db = await storageTestDb()
  archiveDir = await mkdtemp(path.join(tmpdir(), 'tessera-archive-'))
})
afterAll(async () => {
  await db.close()
})

describe('ops:retention', () => {
  it('archives an expired partition and expired segments, then drops them; the archive reads back and its manifest counts the rows removed', async () => {
    const old = dayStart(now, 800)
    await asOwner(db.testDb, (owner) => owner.query('select ops.create_partition($1, $2, $3::date, $4::date)',
      ['ts.time_series_data', name(old), old.toISOString().slice(0, 10), new Date(old.getTime() + DAY_MS).toISOString().slice(0, 10)]))
    const points = randomPoints([old], 500, 3)
    await insertPoints(db.admin, 'ts.time_series_data', points)
    // A compressed day past retention too (a segment row, as ts:compress writes them).
    await db.admin.query(
      `insert into ts.time_series_segments (organization_id, metric_id, day, point_count, first_ts, last_ts, ts_deltas, "values", sum_value, min_value, max_value)
       values (gen_random_uuid(), gen_random_uuid(), $1::date, 2, $2, $2::timestamptz + interval '1 second', '{0,1000000}', '{1.5,2.5}', 4, 1.5, 2.5)`,
      [dayStart(now, 900).toISOString().slice(0, 10), dayStart(now, 900)])

    const run = await applyRetention(db.testDb.ownerUrl, archiveDir, now)

    expect(run.outcome).toBe('succeeded')
    expect((await db.admin.query('select to_regclass($1) as t', [name(old)])).rows[0].t).toBeNull()
    expect((await db.admin.query('select state from ops.partitions where partition_table = $1', [name(old)])).rows[0].state).toBe('dropped')
    expect((await db.admin.query('select count(*)::int as n from ts.time_series_segments').then((r) => r.rows[0].n))).toBe(0)
    const archives = await listArchives(archiveDir)
    const partitionArchive = archives.find((a) => a.partition === name(old))!
    expect(existsSync(partitionArchive.path)).toBe(true)
    expect(partitionArchive.rows).toBe(500)
    const rows = []
    for await (const row of readArchive(partitionArchive.path)) {
      rows.push(row)
    }
    expect(rows.map((r) => `${r.metric_id}|${r.value}`).sort()).toEqual(points.map((p) => `${p.metric_id}|${Number(p.value)}`).sort())
    const segmentArchive = archives.find((a) => a.table === 'ts.time_series_segments')!
    expect(segmentArchive.rows).toBe(1)
    const [segment] = await collect(readArchive(segmentArchive.path))
    expect(segment).toMatchObject({ kind: 'segment', row: { point_count: 2, values: [1.5, 2.5] } })
    // cleanup_old_data recorded the table's stats, archive included.
    const { rows: [policy] } = await db.admin.query("select last_cleanup, last_cleanup_count, last_cleanup_duration_ms from ops.data_retention_policies where table_name = 'time_series_data'")
    expect(policy.last_cleanup).not.toBeNull()
    expect(Number(policy.last_cleanup_count)).toBe(501)
    expect(policy.last_cleanup_duration_ms).toBeGreaterThanOrEqual(0)
  })

  it('archives the rows of compressed pipeline days past the pipeline_data policy, then deletes their segments', async () => {
    const old = dayStart(now, 3700).toISOString().slice(0, 10)
    const kept = dayStart(now, 30).toISOString().slice(0, 10)
    for (const day of [old, kept]) {
      await db.admin.query(
        `insert into ingest.pipeline_data_segments (organization_id, pipeline_id, day, seq, row_count, first_ingested_at, last_ingested_at, min_record_time, max_record_time,
                                                    first_id, data_bytes, id_deltas, ingested_deltas, record_offsets, job_ids, data)
         values (gen_random_uuid(), gen_random_uuid(), $1::date, 0, 2, $1::date, $1::date + interval '1 second', $1::date, $1::date + interval '1 second',
                 41, 20, '{0,1}', '{0,1000000}', '{0,0}', '{null,null}', array['{"order":1}'::jsonb, '{"order":2}'::jsonb])`, [day])
    }

    const run = await applyRetention(db.testDb.ownerUrl, archiveDir, now)

    expect(run.outcome).toBe('succeeded')
    const { rows: left } = await db.admin.query('select day::text from ingest.pipeline_data_segments')
    expect(left).toEqual([{ day: kept }])
    const archive = (await listArchives(archiveDir)).find((a) => a.table === 'ingest.pipeline_data_segments')!
    expect(archive.rows).toBe(2)
    const rows = await collect(readArchive(archive.path))
    expect(rows.map((r) => [r.id, (r.data as { order: number }).order])).toEqual([[41, 1], [42, 2]])
  })

  it('refuses to read an archive that no longer matches its manifest', async () => {
    const [archive] = await listArchives(archiveDir)
    const { appendFile } = await import('node:fs/promises')
    await appendFile(archive!.path, 'x')
    await expect(collect(readArchive(archive!.path))).rejects.toThrow(/does not match its manifest/)
  })
})

describe('ops.cleanup_old_data()', () => {
  it('follows the policies for the tables that exist, skips the others, and records last_cleanup, count and duration', async () => {
    const { rows: [user] } = await db.admin.query("insert into auth.users (email, password_hash, display_name) values ('old-' || md5(random()::text) || '@example.com', 'x', 'Old') returning id")
    await db.admin.query(
      `insert into auth.sessions (user_id, token_hash, created_at, expires_at, absolute_expires_at) values
        ($1, md5(random()::text), now() - interval '30 days', now() - interval '10 days', now() - interval '10 days'),
        ($1, md5(random()::text), now() - interval '30 days', now() - interval '3 days', now() - interval '3 days'),
        ($1, md5(random()::text), now(), now() + interval '1 day', now() + interval '1 day')`, [user.id])

    const { rows } = await asOwner(db.testDb, (owner) => owner.query('select * from ops.cleanup_old_data()'))

    const byTable = Object.fromEntries(rows.map((r) => [r.table_name, Number(r.deleted_count)]))
    expect(byTable.sessions).toBe(1)
    expect(Object.keys(byTable).sort()).toEqual(
      ['aggregated_metrics', 'error_logs', 'mcp_request_logs', 'performance_metrics', 'pipeline_data', 'query_performance_logs', 'saved_query_results', 'sessions', 'time_series_data', 'tool_usage_logs'])
    const { rows: [policy] } = await db.admin.query("select last_cleanup, last_cleanup_count, last_cleanup_duration_ms from ops.data_retention_policies where table_name = 'sessions'")
    expect(Number(policy.last_cleanup_count)).toBe(1)
    expect(policy.last_cleanup).not.toBeNull()
    expect(policy.last_cleanup_duration_ms).not.toBeNull()
    expect((await db.admin.query('select count(*)::int as n from auth.sessions where user_id = $1', [user.id])).rows[0].n).toBe(2)
  })
})

describe('retention of cached saved-query results', () => {
  it('deletes results expired for over a day and keeps the rest', async () => {
    const { rows: [org] } = await db.admin.query("insert into app.organizations (name, slug) values ('Cache', 'cache-' || md5(random()::text)) returning id")
    const { rows: [source] } = await db.admin.query("insert into app.data_sources (organization_id, name, type) values ($1, 'pg', 'postgresql') returning id", [org.id])
    const { rows: [query] } = await db.admin.query("insert into app.queries (organization_id, data_source_id, name, query_text) values ($1, $2, 'q', 'select 1') returning id", [org.id, source.id])
    await db.admin.query(
      `insert into app.saved_query_results (organization_id, query_id, cache_key, result_data, expires_at) values
         ($1, $2, 'old', '{}', now() - interval '2 days'), ($1, $2, 'recent', '{}', now() - interval '1 hour'), ($1, $2, 'live', '{}', now() + interval '5 minutes')`,
      [org.id, query.id])
    const { rows } = await asOwner(db.testDb, (owner) => owner.query('select * from ops.cleanup_old_data()'))
    expect(Number(rows.find((r) => r.table_name === 'saved_query_results')?.deleted_count)).toBe(1)
    const { rows: left } = await db.admin.query('select cache_key from app.saved_query_results where query_id = $1 order by cache_key', [query.id])
    expect(left.map((r) => r.cache_key)).toEqual(['live', 'recent'])
  })
})

describe('retention of the monthly telemetry logs', () => {
  it('deletes only resolved errors past a year and drops the months it emptied; drops expired performance months whole', async () => {
    const month = (back: number) => {
      const now = new Date()
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))
    }
    const iso = (d: Date) => d.toISOString().slice(0, 10)
    await asOwner(db.testDb, async (owner) => {
      for (const back of [15, 14]) {
        await owner.query('select ops.create_partition($1, $2, $3::date, $4::date)',
          ['telemetry.error_logs', `error_logs_m${back}`, iso(month(back)), iso(month(back - 1))])
      }
      await owner.query('select ops.create_partition($1, $2, $3::date, $4::date)',
        ['telemetry.performance_metrics', 'performance_metrics_m3', iso(month(3)), iso(month(2))])
    })
    const at = (back: number) => new Date(month(back).getTime() + 2 * DAY_MS)
    await db.admin.query(
      `insert into telemetry.error_logs (level, message, resolved, "timestamp") values
         ('error', 'old resolved', true, $1), ('error', 'old open', false, $1), ('error', 'old resolved too', true, $2), ('error', 'recent resolved', true, now())`,
      [at(15), at(14)])
    await db.admin.query(
      `insert into telemetry.performance_metrics (metric_name, metric_value, "timestamp", aggregation_period) values ('latency', 1, $1, '1h'), ('latency', 2, now(), '1h')`, [at(3)])

    const { rows } = await asOwner(db.testDb, (owner) => owner.query('select * from ops.cleanup_old_data()'))
    const byTable = Object.fromEntries(rows.map((r) => [r.table_name, Number(r.deleted_count)]))
    expect(byTable.error_logs).toBe(2)
    expect(byTable.performance_metrics).toBe(1)
    const { rows: left } = await db.admin.query('select message from telemetry.error_logs order by message')
    expect(left.map((r) => r.message)).toEqual(['old open', 'recent resolved'])
    const { rows: states } = await db.admin.query(
      "select partition_table, state from ops.partitions where partition_table in ('telemetry.error_logs_m15', 'telemetry.error_logs_m14', 'telemetry.performance_metrics_m3') order by 1")
    expect(states).toEqual([
      { partition_table: 'telemetry.error_logs_m14', state: 'dropped' },
      { partition_table: 'telemetry.error_logs_m15', state: 'attached' },
      { partition_table: 'telemetry.performance_metrics_m3', state: 'dropped' },
    ])
  })
})

describe('tessera archive list|read', () => {
  it('lists the archives and prints one back as NDJSON', async () => {
    const { archiveList, archiveRead } = await import('./archive.cli.ts')
    const { testConfig } = await import('../../../test/app.ts')
    const config = testConfig({ TESSERA_ARCHIVE_DIR: archiveDir })
    let listed = ''
    await archiveList(config, { write: (chunk: string) => ((listed += chunk), true) } as NodeJS.WritableStream)
    expect(listed).toMatch(/ts\.time_series_segments .* rows=1/)
    const segment = (await listArchives(archiveDir)).find((a) => a.table === 'ts.time_series_segments')!
    let printed = ''
    await archiveRead(config, path.basename(segment.path), { write: (chunk: string) => ((printed += chunk), true) } as NodeJS.WritableStream)
    expect(JSON.parse(printed.trim())).toMatchObject({ kind: 'segment' })
  })
})
