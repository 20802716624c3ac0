import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compressTimeSeries, applyRetention } from './storage.jobs.ts'
import { asOwner, dayStart, insertPoints, randomPoints, storageTestDb, type StorageTestDb } from './storage.fixtures.ts'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** The DBA's partition functions of seeds 002 and 003 (ops schema), and jobs racing ingest. */

let db: StorageTestDb
const now = new Date()

beforeAll(async () => {
  db = await storageTestDb()
})
afterAll(async () => {
  await db.close()
})

const owner = <T>(text: string, values: unknown[] = []) => asOwner(db.testDb, (c) => c.query(text, values)).then((r) => r.rows as T[])
const catalogue = (parent: string) => db.admin.query<{ partition_table: string; state: string; granularity: string }>(
  'select partition_table, state, granularity from ops.partitions where parent_table = $1 order by range_start', [parent]).then((r) => r.rows)
const month = (offset: number) => {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
  return `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

describe('DBA partition functions', () => {
  it('seed 002 create_monthly_partitions(table, months_ahead) creates the missing months and counts them', async () => {
    const [first] = await owner<{ n: number }>("select ops.create_monthly_partitions('audit.audit_log', 5) as n")
    // 0006 keeps three months ahead: months four and five are new.
    expect(first!.n).toBe(2)
    expect((await catalogue('audit.audit_log')).map((p) => p.partition_table)).toEqual(expect.arrayContaining([`audit.audit_log_${month(5)}`]))
    const [again] = await owner<{ n: number }>("select ops.create_monthly_partitions('audit.audit_log', 5) as n")
    expect(again!.n).toBe(0)
  })

  it('seed 003 create_monthly_partitions(schema, table, months_ahead) and create_partition, with RLS forced on the new partitions', async () => {
    await owner("select ops.create_monthly_partitions('audit', 'audit_log', 7)")
    await owner("select ops.create_partition('ts.time_series_data', 'ts.time_series_data_2020_01_01', '2020-01-01', '2020-01-02')")
    const { rows } = await db.admin.query<{ name: string; forced: boolean }>(
      "select oid::regclass::text as name, relforcerowsecurity as forced from pg_class where oid in (to_regclass($1), to_regclass('ts.time_series_data_2020_01_01'))", [`audit.audit_log_${month(7)}`])
    expect(rows.map((r) => r.forced)).toEqual([true, true])
    expect(await catalogue('ts.time_series_data')).toEqual(expect.arrayContaining([{ partition_table: 'ts.time_series_data_2020_01_01', state: 'attached', granularity: 'day' }]))
    await expect(owner("select ops.create_partition('ts.time_series_data', 'x', '2020-01-01', '2020-01-03')")).rejects.toThrow(/one UTC day or one calendar month/)
  })

  it('seed 003 drop_old_partitions drops partitions past retention_months from the catalogue', async () => {
    await owner("select ops.create_partition('audit.audit_log', 'audit_log_2019_03', '2019-03-01', '2019-04-01')")
    await owner("select ops.drop_old_partitions('audit', 'audit_log', 24)")
    expect((await catalogue('audit.audit_log')).find((p) => p.partition_table === 'audit.audit_log_2019_03')?.state).toBe('dropped')
    expect((await db.admin.query("select to_regclass('audit.audit_log_2019_03') as t")).rows[0].t).toBeNull()
  })

  it('seed 003 maintain_partitions ensures partitions ahead and drops those past a non-archived policy', async () => {
    await db.admin.query("update ops.data_retention_policies set archive_before_delete = false where table_name = 'time_series_data'")
    await owner('select ops.maintain_partitions()')
    const ts = await catalogue('ts.time_series_data')
    expect(ts.find((p) => p.partition_table === 'ts.time_series_data_2020_01_01')?.state).toBe('dropped')
    const ahead = `ts.time_series_data_${dayStart(now, -7).toISOString().slice(0, 10).replace(/-/g, '_')}`
    expect(ts.find((p) => p.partition_table === ahead)?.state).toBe('attached')
    await db.admin.query("update ops.data_retention_policies set archive_before_delete = true where table_name = 'time_series_data'")
  })
})

describe('compression and retention while points keep arriving', () => {
  it('lose no point', async () => {
    await asOwner(db.testDb, (c) => c.query("select ops.ensure_partitions('ts.time_series_data', 'day', 1, 40)"))
    const old = randomPoints([dayStart(now, 38), dayStart(now, 35)], 2000, 11)
    await insertPoints(db.admin, 'ts.time_series_data', old)
    let inserted = 0
    let stop = false
    const writer = (async () => {
      while (!stop) {
        await insertPoints(db.admin, 'ts.time_series_data', randomPoints([dayStart(now, 0), dayStart(now, 1)], 50, inserted + 17))
        inserted += 50
      }
    })()
    const archiveDir = await mkdtemp(path.join(tmpdir(), 'tessera-archive-'))
    for (let i = 0; i < 3; i++) {
      await compressTimeSeries(db.testDb.ownerUrl, { now })
      await applyRetention(db.testDb.ownerUrl, archiveDir, now)
    }
    stop = true
    await writer
    const { rows: [counts] } = await db.admin.query<{ recent: number; compressed: number }>(
      `select (select count(*)::int from ts.time_series_data where "timestamp" >= $1) as recent,
              (select coalesce(sum(point_count), 0)::int from ts.time_series_segments) as compressed`, [dayStart(now, 1)])
    expect(inserted).toBeGreaterThan(0)
    expect(counts!.recent).toBe(inserted)
    expect(counts!.compressed).toBe(2000)
  })
})
