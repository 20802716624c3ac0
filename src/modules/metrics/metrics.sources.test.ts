import { randomBytes } from 'node:crypto'
import pino from 'pino'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createDataSource } from '../../../test/data-sources.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { runMetricCalculations } from './metrics.jobs.ts'

/** Points that come from a pipeline's batches and from scheduled calculations on a PostgreSQL source. */

let ctx: TestContext
let org: OrgFixture
const logger = pino({ level: 'silent' })
const PG_ROLE = `metric_reader_${randomBytes(4).toString('hex')}`
const PG_PASSWORD = `pw-${randomBytes(8).toString('hex')}`
let pgDatabase: string

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  // A PostgreSQL peer: a database of its own (named after the test database, so the run's cleanup drops it) and a reader.
  pgDatabase = `${ctx.testDb.name}_src`
  await ctx.admin.query(`create database ${pgDatabase}`)
  await ctx.admin.query(`create role ${PG_ROLE} login password '${PG_PASSWORD}'`)
  const url = new URL(ctx.testDb.adminUrl)
  url.pathname = `/${pgDatabase}`
  const source = new pg.Client({ connectionString: url.toString() })
  await source.connect()
  try {
    await source.query(`create table orders (id integer primary key, region text not null, total numeric(10, 2) not null)`)
    await source.query(`insert into orders select i, case when i % 2 = 0 then 'eu' else 'us' end, i from generate_series(1, 10) i`)
    await source.query(`grant select on orders to ${PG_ROLE}`)
  } finally {
    await source.end()
  }
})
afterAll(async () => {
  await ctx.admin.query(`drop database if exists ${pgDatabase} with (force)`).catch(() => undefined)
  await ctx.admin.query(`drop role if exists ${PG_ROLE}`).catch(() => undefined)
  await ctx.close()
})

async function points(metricId: string) {
  const { rows } = await ctx.admin.query(`select "timestamp", value::float8 as value, dimensions from ts.time_series_data where metric_id = $1 order by value`, [metricId])
  return rows as Array<{ timestamp: Date; value: number; dimensions: Record<string, unknown> }>
}

describe('pipeline-sourced metrics', () => {
  it('turns each pushed batch into points: value and dimensions by JSONPath, the record time when the mapping gives one', async () => {
    const pipeline = await createPipeline(ctx.app, org, {
      mapping: {
        mappings: [
          { path: '$.amount', field: 'amount', type: 'number' },
          { path: '$.region', field: 'region', type: 'string' },
          { path: '$.at', field: 'at', type: 'string' },
        ],
        transformations: [],
        timestampField: 'at',
      },
    })
    const metric = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.id}/metrics`,
      headers: org.owner.headers,
      payload: { name: 'sales.amount', displayName: 'Sales', source: 'pipeline', pipelineId: pipeline.id, valuePath: '$.amount', dimensionPaths: { region: '$.region' } },
    })
    expect(metric.statusCode).toBe(201)
    const at = new Date(Date.now() - 3_600_000).toISOString()
    const key = (await createApiKey(ctx.app, org, ['ingest'])).key
    const response = await push(ctx.app, pipeline.id, { key, records: [{ amount: 12.5, region: 'eu', at }, { amount: 3, region: 'us', at }, { region: 'eu', at }] })
    expect(response.json()).toMatchObject({ accepted: 3 })
    const stored = await points(metric.json().id)
    expect(stored.map((p) => [p.value, p.dimensions, p.timestamp.toISOString()])).toEqual([
      [3, { region: 'us' }, at],
      [12.5, { region: 'eu' }, at],
    ])
    const { rows } = await ctx.admin.query('select count(*)::int as n from ts.rollup_invalidations where metric_id = $1', [metric.json().id])
    expect(rows[0].n).toBe(1)
  })
})

describe('metrics:calculate', () => {
  it('runs the SELECT on the PostgreSQL source when due, stores value + dimension columns, and records failures', async () => {
    const source = await createDataSource(ctx.app, org, {
      name: 'Warehouse',
      type: 'postgresql',
      config: { host: '127.0.0.1', port: Number(new URL(ctx.testDb.adminUrl).port || 5432), database: pgDatabase, user: PG_ROLE, password: PG_PASSWORD, sslMode: 'prefer' },
    })
    const create = (name: string, calculationMethod: string) =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${org.id}/metrics`,
        headers: org.owner.headers,
        payload: { name, displayName: name, source: 'data_source', dataSourceId: source.id, calculationMethod, refreshFrequency: 60 },
      })
    const metric = (await create('orders.total', 'select region, sum(total) as value from orders group by region')).json()
    const broken = (await create('orders.broken', 'select nothing from missing_table')).json()

    const first = await runMetricCalculations(ctx.services, logger)
    expect(first).toMatchObject({ calculated: 1, failed: 1 })
    expect((await points(metric.id)).map((p) => [p.value, p.dimensions])).toEqual([
      [25, { region: 'us' }],
      [30, { region: 'eu' }],
    ])
    const failed = (await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/metrics/${broken.id}`, headers: org.owner.headers })).json()
    expect(failed.lastCalculationError).toMatch(/missing_table/)
    expect(failed.lastCalculatedAt).not.toBeNull()

    // Not due again before refresh_frequency has elapsed; due after.
    expect(await runMetricCalculations(ctx.services, logger)).toMatchObject({ calculated: 0, failed: 0 })
    expect(await runMetricCalculations(ctx.services, logger, new Date(Date.now() + 61_000))).toMatchObject({ calculated: 1, failed: 1 })
    expect(await points(metric.id)).toHaveLength(4)
  })
})
