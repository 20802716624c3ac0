import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { setOutboundAllowlist } from '../../../test/data-sources.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { installQueueSchema } from '../jobs/jobs.runner.ts'
import { deliverDue } from './delivery.engine.ts'
import { addSink, deliveriesOf, testDeliveryDeps } from './test-support.ts'

/**
 * PostgreSQL table sinks against the test PostgreSQL server: a scratch database (named after
 * the test database, so the run's cleanup drops it) and a login that may only insert.
 */

let ctx: TestContext
let org: OrgFixture
let ingestKey: string
let destination: pg.Client
const suffix = randomBytes(4).toString('hex')
const ROLE = `sink_writer_${suffix}`
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`
let database: string
let port: number

beforeAll(async () => {
  ctx = await createTestApp()
  await installQueueSchema(ctx.testDb.ownerUrl)
  await setOutboundAllowlist(ctx, ['127.0.0.1'])
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  ingestKey = (await createApiKey(ctx.app, org, ['ingest'])).key

  database = `${ctx.testDb.name}_sink`
  const adminUrl = new URL(ctx.testDb.adminUrl)
  port = Number(adminUrl.port || 5432)
  await ctx.admin.query(`create database ${database}`)
  await ctx.admin.query(`create role ${ROLE} login password '${PASSWORD}'`)
  adminUrl.pathname = `/${database}`
  destination = new pg.Client({ connectionString: adminUrl.toString() })
  await destination.connect()
  await destination.query('create schema warehouse')
  await destination.query(`create table warehouse.events (
    id bigint generated always as identity primary key,
    name text not null,
    n integer,
    at timestamptz,
    tags jsonb,
    created_at timestamptz not null default now(),
    shout text generated always as (upper(name)) stored)`)
  await destination.query(`grant usage on schema warehouse to ${ROLE}`)
  await destination.query(`grant select, insert on warehouse.events to ${ROLE}`)
})

afterAll(async () => {
  await destination?.end()
  await ctx.admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined)
  await ctx.admin.query(`drop role if exists ${ROLE}`).catch(() => undefined)
  await ctx.close()
})

const sinkConfig = (overrides: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port, database, user: ROLE, password: PASSWORD, sslMode: 'prefer', schema: 'warehouse', table: 'events', ...overrides })

async function pipelineWithSink(overrides: Record<string, unknown> = {}) {
  const pipeline = await createPipeline(ctx.app, org)
  await addSink(ctx, org, pipeline.id, { sinkType: 'postgresql', config: sinkConfig(overrides) })
  return pipeline
}

const tableRows = async () => (await destination.query('select id::int, name, n, at, tags, created_at is not null as has_created_at, shout from warehouse.events order by id')).rows

describe('PostgreSQL table sinks', () => {
  it('inserts records into the columns their keys name, leaving the rest to their defaults', async () => {
    const pipeline = await pipelineWithSink()
    const records = [
      { name: 'alpha', n: 1, at: '2024-05-01T10:00:00Z', tags: { env: 'prod' }, extra: 'no such column', id: 999, shout: 'ignored' },
      { name: 'beta', n: '2' },
    ]
    expect((await push(ctx.app, pipeline.id, { key: ingestKey, records })).statusCode).toBe(200)
    expect(await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })).toMatchObject({ delivered: 1 })
    expect(await tableRows()).toEqual([
      { id: 1, name: 'alpha', n: 1, at: new Date('2024-05-01T10:00:00Z'), tags: { env: 'prod' }, has_created_at: true, shout: 'ALPHA' },
      { id: 2, name: 'beta', n: 2, at: null, tags: null, has_created_at: true, shout: 'BETA' },
    ])
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'delivered', attempts: 1, last_error: null }])
  })

  it('inserts a batch whole or not at all, and fails bad data for good', async () => {
    const before = (await tableRows()).length
    const pipeline = await pipelineWithSink()
    await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ name: 'fine', n: 3 }, { n: 4 }] })
    await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ name: 'typo', n: 'four' }] })
    expect(await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })).toMatchObject({ failed: 2, delivered: 0 })
    expect(await tableRows()).toHaveLength(before)
    const [notNull, badNumber] = await deliveriesOf(ctx, pipeline.id)
    expect(notNull).toMatchObject({ status: 'failed', attempts: 1 })
    expect(notNull!.last_error).toMatch(/null value in column "name".*23502/)
    expect(badNumber!.last_error).toMatch(/invalid input syntax for type integer.*22P02/)
  })

  it('fails a batch none of whose keys is a column, and a missing table', async () => {
    const unknownKeys = await pipelineWithSink()
    await push(ctx.app, unknownKeys.id, { key: ingestKey, records: [{ other: 1 }] })
    const missing = await pipelineWithSink({ table: 'nowhere' })
    await push(ctx.app, missing.id, { key: ingestKey, records: [{ name: 'x' }] })
    await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })
    expect((await deliveriesOf(ctx, unknownKeys.id))[0]).toMatchObject({ status: 'failed', last_error: 'No key of the records matches a column of warehouse.events' })
    expect((await deliveriesOf(ctx, missing.id))[0]!.last_error).toContain('warehouse.nowhere does not exist')
  })

  it('retries when the server is unreachable, and refuses a host the allowlist does not admit', async () => {
    const refused = await pipelineWithSink({ port: 1 })
    await push(ctx.app, refused.id, { key: ingestKey, records: [{ name: 'x' }] })
    await deliverDue(testDeliveryDeps(ctx, { retryBaseMs: 60_000 }), { orgId: org.id })
    const [retrying] = await deliveriesOf(ctx, refused.id)
    expect(retrying).toMatchObject({ status: 'pending', attempts: 1 })
    expect(retrying!.last_error).toMatch(/Could not connect to PostgreSQL at 127\.0\.0\.1:1\/.*ECONNREFUSED/)

    const blocked = await pipelineWithSink({ host: '127.0.0.2' })
    await push(ctx.app, blocked.id, { key: ingestKey, records: [{ name: 'x' }] })
    await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })
    const [failed] = await deliveriesOf(ctx, blocked.id)
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 })
    expect(failed!.last_error).toMatch(/127\.0\.0\.2 is a loopback address/)
  })
})
