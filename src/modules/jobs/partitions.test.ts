import type { JobHelpers } from 'graphile-worker'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { buildTasks } from './jobs.tasks.ts'

/** partitions:maintain creates partitions as far ahead as the system settings say. */

let ctx: TestContext
let admin: Session

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
})
afterAll(async () => {
  await ctx.close()
})

const maintain = () => buildTasks(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }))['partitions:maintain']!({}, {} as JobHelpers)

const setSetting = (key: string, value: unknown) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/settings/${key}`, headers: admin.headers, payload: { value } })

/** Whether `parent` has an attached partition starting `offsets` days (or months) after today's (or this month's). */
async function attachedAt(parent: string, granularity: 'day' | 'month', offsets: number[]): Promise<boolean[]> {
  const { rows } = await ctx.admin.query<{ present: boolean }>(
    `select exists (
       select 1 from ops.partitions p join pg_inherits i on i.inhrelid = to_regclass(p.partition_table) and i.inhparent = $1::text::regclass
        where p.parent_table = $1::text
          and p.range_start = (date_trunc($2, now() at time zone 'UTC') + case when $2 = 'day' then make_interval(days => t.o) else make_interval(months => t.o) end) at time zone 'UTC'
     ) as present
     from unnest($3::int[]) with ordinality as t(o, n) order by t.n`,
    [parent, granularity, offsets])
  return rows.map((row) => row.present)
}

describe('partitions:maintain', () => {
  it('creates 7 days and 3 months ahead by default, and as many as partitions.days_ahead and partitions.months_ahead say', async () => {
    await maintain()
    expect(await attachedAt('ingest.pipeline_data', 'day', [7, 8])).toEqual([true, false])
    expect(await attachedAt('ts.time_series_data', 'day', [7, 8])).toEqual([true, false])
    expect(await attachedAt('audit.audit_log', 'month', [3, 4])).toEqual([true, false])

    expect((await setSetting('partitions.days_ahead', 12)).statusCode).toBe(200)
    expect((await setSetting('partitions.months_ahead', 5)).statusCode).toBe(200)
    await maintain()

    expect(await attachedAt('ingest.pipeline_data', 'day', [8, 12, 13])).toEqual([true, true, false])
    expect(await attachedAt('ts.time_series_data', 'day', [8, 12, 13])).toEqual([true, true, false])
    expect(await attachedAt('audit.audit_log', 'month', [4, 5, 6])).toEqual([true, true, false])
    const { rows } = await ctx.admin.query("select details from ops.maintenance_runs where job = 'partitions:maintain' and outcome = 'succeeded' order by id desc limit 1")
    expect(rows[0].details).toMatchObject({ ahead: { day: 12, month: 5 }, created: { 'ingest.pipeline_data': 5, 'ts.time_series_data': 5, 'audit.audit_log': 2 } })
  })

  it('refuses settings that would leave no partition ahead, or far too many', async () => {
    for (const [key, value] of [['partitions.days_ahead', 0], ['partitions.days_ahead', 91], ['partitions.months_ahead', 0], ['partitions.months_ahead', 25], ['partitions.days_ahead', 'soon']] as const) {
      const response = await setSetting(key, value)
      expect(response.statusCode, `${key} = ${value}`).toBe(400)
      expect(response.json().error.code).toBe('invalid_setting_value')
    }
  })

  it('clamps a value written around the API, so at least the next day and month exist', async () => {
    await ctx.admin.query("update app.system_settings set setting_value = '0' where setting_key in ('partitions.days_ahead', 'partitions.months_ahead')")
    await maintain()
    const { rows } = await ctx.admin.query("select outcome, details from ops.maintenance_runs where job = 'partitions:maintain' order by id desc limit 1")
    expect(rows[0]).toMatchObject({ outcome: 'succeeded', details: { ahead: { day: 1, month: 1 } } })
    expect(await attachedAt('ts.time_series_data', 'day', [1])).toEqual([true])
  })
})
