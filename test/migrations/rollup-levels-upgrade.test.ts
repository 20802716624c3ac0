import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MIGRATIONS_DIR, migrate, readMigrations } from '../../src/platform/migrate.ts'
import { emptyDatabase, query } from './databases.ts'

/**
 * 0150 on an installation that already has rollups: the hour and day rows written by the
 * previous rollup function get their metric totals and week/month rows, and minute rows are
 * used only from the upgrade on (they cannot be derived from hours).
 */

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** db/migrations up to (excluding) a version. */
function migrationsBefore(version: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-migrations-'))
  dirs.push(dir)
  for (const migration of readMigrations().filter((m) => m.version < version)) {
    cpSync(path.join(MIGRATIONS_DIR, migration.file), path.join(dir, migration.file))
  }
  return dir
}

describe('0150 rollup levels on an existing installation', () => {
  it('backfills totals, weeks and months from the existing rows and starts minute rows at the upgrade', async () => {
    const { ownerUrl, adminUrl } = await emptyDatabase()
    await migrate(ownerUrl, { dir: migrationsBefore('0150') })
    const { org } = (await query<{ org: string }>(adminUrl, "insert into app.organizations (name, slug) values ('Up', 'up-grade') returning id as org"))[0]!
    const { metric } = (await query<{ metric: string }>(adminUrl,
      "insert into app.metrics (organization_id, name, display_name, aggregation_type) values ($1, 'm', 'm', 'avg') returning id as metric", [org]))[0]!
    await query(ownerUrl, "select ops.ensure_partitions('ts.time_series_data', 'day', 1, 10)")
    // Two series over two hours of a closed day, rolled up by the previous function.
    const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000)
    await query(adminUrl,
      `insert into ts.time_series_data ("timestamp", metric_id, organization_id, value, dimensions)
       select $1::timestamptz + make_interval(mins => m), $2, $3, m % 7 + h, jsonb_build_object('host', 'h' || h)
         from generate_series(0, 119) m, generate_series(1, 2) h`, [day, metric, org])
    await query(adminUrl, 'insert into ts.rollup_invalidations (organization_id, metric_id, range_start, range_end) values ($1, $2, $3, $4)',
      [org, metric, day, new Date(day.getTime() + 7_199_999)])
    await query(adminUrl, 'select * from private.refresh_time_series_rollups(100)')

    await migrate(ownerUrl)
    const levels = await query<{ level: string; totals: number; series: number; total_count: number; total_sum: string }>(adminUrl,
      `select aggregation_level as level, count(*) filter (where dimensions is null)::int as totals, count(*) filter (where dimensions is not null)::int as series,
              sum(count) filter (where dimensions is null)::int as total_count, sum(sum_value) filter (where dimensions is null)::text as total_sum
         from ts.aggregated_metrics where metric_id = $1 group by 1 order by 1`, [metric])
    const { points, sum } = (await query<{ points: number; sum: string }>(adminUrl, 'select count(*)::int as points, sum(value)::text as sum from ts.time_series_data where metric_id = $1', [metric]))[0]!
    expect(levels.map((l) => l.level)).toEqual(['day', 'hour', 'month', 'week'])
    for (const level of levels) {
      // Every level's totals hold every point once; hours have 2 series each, the others 2 too.
      expect(level.total_count, level.level).toBe(points)
      expect(Number(level.total_sum), level.level).toBe(Number(sum))
      expect(level.series, level.level).toBe(level.level === 'hour' ? 4 : 2)
      expect(level.totals, level.level).toBe(level.level === 'hour' ? 2 : 1)
    }
    const { from, hour } = (await query<{ from: string; hour: string }>(adminUrl,
      "select minute_level_from::text as from, date_trunc('hour', now(), 'UTC')::text as hour from ops.rollup_watermarks where name = 'ts.aggregated_metrics'"))[0]!
    expect(from).toBe(hour)
  })

  it('uses minute rows from the beginning on a new installation', async () => {
    const { ownerUrl, adminUrl } = await emptyDatabase()
    await migrate(ownerUrl)
    expect(await query(adminUrl, "select minute_level_from::text as from from ops.rollup_watermarks where name = 'ts.aggregated_metrics'")).toEqual([{ from: '-infinity' }])
  })
})
