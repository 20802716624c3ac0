import { randomUUID } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { listArchives, readArchive } from '../storage/archive.ts'
import { applyRetention } from '../storage/storage.jobs.ts'
import { asOwner } from '../storage/storage.fixtures.ts'

/** GET /api/v1/admin/request-logs, who may read the log, and its retention. */

let ctx: TestContext
let admin: Session
let orgA: OrgFixture
let orgB: OrgFixture
const HOUR = 3_600_000
const base = Date.now() - 2 * HOUR

/** A logged request as the writer would store it, inserted as superuser. */
async function logRow(values: { route: string; status: number; at: Date; userId?: string | null; orgId?: string | null; requestId?: string }): Promise<string> {
  const requestId = values.requestId ?? randomUUID()
  await ctx.admin.query(
    `insert into telemetry.request_logs (request_id, method, route, path, response_status_code, duration_ms, success, user_id, organization_id, "timestamp", request_headers)
     values ($1, 'GET', $2, $2, $3, 12, $3 < 400, $4, $5, $6, '{"authorization": "[redacted]"}')`,
    [requestId, values.route, values.status, values.userId ?? null, values.orgId ?? null, values.at])
  return requestId
}

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  orgA = await createOrg(ctx.app, await registerUser(ctx.app))
  orgB = await createOrg(ctx.app, await registerUser(ctx.app))
  // Nine requests, one minute apart: A's owner on A's routes, B's on B's, and anonymous ones.
  for (let i = 0; i < 9; i++) {
    const org = i % 3 === 0 ? orgA : i % 3 === 1 ? orgB : null
    await logRow({
      route: org ? '/api/v1/orgs/:orgId/dashboards' : '/api/v1/me',
      status: i === 4 ? 500 : org ? 200 : 401,
      at: new Date(base + i * 60_000),
      userId: org?.owner.userId ?? null,
      orgId: org?.id ?? null,
      requestId: `seeded-${i}`,
    })
  }
})

afterAll(async () => {
  await ctx?.close()
})

const list = (query: string, session: Session = admin) => ctx.app.inject({ method: 'GET', url: `/api/v1/admin/request-logs${query}`, headers: { cookie: session.cookie } })

describe('GET /api/v1/admin/request-logs', () => {
  it('lists requests newest first and pages through them with the cursor', async () => {
    const window = `from=${new Date(base - 1000).toISOString()}&to=${new Date(base + HOUR).toISOString()}`
    const first = await list(`?${window}&limit=4`)
    expect(first.statusCode).toBe(200)
    const page1 = first.json()
    expect(page1.requests.map((r: { requestId: string }) => r.requestId)).toEqual(['seeded-8', 'seeded-7', 'seeded-6', 'seeded-5'])
    expect(page1.requests[0]).toMatchObject({ method: 'GET', route: '/api/v1/me', status: 401, success: false, durationMs: 12, requestHeaders: { authorization: '[redacted]' } })
    const seen = [...page1.requests]
    let cursor: string | null = page1.nextCursor
    while (cursor) {
      const next = (await list(`?${window}&limit=4&cursor=${cursor}`)).json()
      seen.push(...next.requests)
      cursor = next.nextCursor
    }
    expect(seen.map((r) => r.requestId)).toEqual(['seeded-8', 'seeded-7', 'seeded-6', 'seeded-5', 'seeded-4', 'seeded-3', 'seeded-2', 'seeded-1', 'seeded-0'])
  })

  it('filters by status class, route, user, organization and time', async () => {
    const window = `from=${new Date(base - 1000).toISOString()}&to=${new Date(base + HOUR).toISOString()}`
    const ids = async (query: string) => (await list(`?${window}&${query}`)).json().requests.map((r: { requestId: string }) => r.requestId)
    expect(await ids('status=5xx')).toEqual(['seeded-4'])
    expect(await ids('status=4xx')).toEqual(['seeded-8', 'seeded-5', 'seeded-2'])
    expect(await ids(`route=${encodeURIComponent('/api/v1/orgs/:orgId/dashboards')}&organizationId=${orgA.id}`)).toEqual(['seeded-6', 'seeded-3', 'seeded-0'])
    expect(await ids(`userId=${orgB.owner.userId}&status=2xx`)).toEqual(['seeded-7', 'seeded-1'])
    const narrow = await list(`?from=${new Date(base + 90_000).toISOString()}&to=${new Date(base + 150_000).toISOString()}`)
    expect(narrow.json().requests.map((r: { requestId: string; organizationName: string | null; userEmail: string | null }) => [r.requestId, r.organizationName, r.userEmail]))
      .toEqual([['seeded-2', null, null]])
    const a = (await list(`?${window}&organizationId=${orgA.id}&limit=1`)).json().requests[0]
    expect(a).toMatchObject({ organizationId: orgA.id, userId: orgA.owner.userId, userEmail: orgA.owner.email })
    expect(a.organizationName).toEqual(expect.any(String))
  })

  it('answers an empty page for a window without requests', async () => {
    const response = await list(`?from=2001-01-01T00:00:00Z&to=2001-01-02T00:00:00Z`)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ requests: [], nextCursor: null })
  })

  it('refuses bad filters with 400 and a field to fix', async () => {
    const reversed = await list(`?from=${new Date(base).toISOString()}&to=${new Date(base - HOUR).toISOString()}`)
    expect(reversed.statusCode).toBe(400)
    expect(reversed.json().error.message).toMatch(/from must be before to/)
    expect((await list('?cursor=bm90LWEtY3Vyc29y')).json().error.message).toMatch(/cursor/)
    expect((await list('?status=6xx')).statusCode).toBe(400)
    expect((await list('?userId=not-a-uuid')).statusCode).toBe(400)
  })

  it('is for instance administrators only: an organization owner gets 403, an anonymous caller 401', async () => {
    const denied = await list('', orgA.owner)
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('forbidden')
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/request-logs' })).statusCode).toBe(401)
  })
})

describe('who reads telemetry.request_logs (Row-Level Security, as the runtime role)', () => {
  it("lets an organization's owners and admins read its requests, members none, and instance administrators all", async () => {
    const memberA = await addMember(ctx.app, orgA, 'member')
    const adminA = await addMember(ctx.app, orgA, 'admin')
    const visible = async (userId: string, orgId: string) => {
      const client = await ctx.database.pool.connect()
      try {
        await client.query('begin')
        await client.query("select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true)", [userId, orgId])
        const { rows } = await client.query<{ request_id: string }>("select request_id from telemetry.request_logs where request_id like 'seeded-%' order by request_id")
        return rows.map((r) => r.request_id)
      } finally {
        await client.query('rollback')
        client.release()
      }
    }
    expect(await visible(orgA.owner.userId, orgA.id)).toEqual(['seeded-0', 'seeded-3', 'seeded-6'])
    expect(await visible(adminA.userId, orgA.id)).toEqual(['seeded-0', 'seeded-3', 'seeded-6'])
    expect(await visible(memberA.userId, orgA.id)).toEqual([])
    // B's owner naming A's organization is no member of it.
    expect(await visible(orgB.owner.userId, orgA.id)).toEqual([])
    expect(await visible(admin.userId, '')).toHaveLength(9)
  })
})

describe('retention of telemetry.request_logs (seed 002: 60 days, archived before delete)', () => {
  it('archives and drops a month past 60 days and keeps the current one', async () => {
    const now = new Date()
    const month = (back: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))
    const iso = (d: Date) => d.toISOString().slice(0, 10)
    const expired = `telemetry.request_logs_${iso(month(4)).slice(0, 7).replace('-', '_')}`
    await asOwner(ctx.testDb, (owner) => owner.query('select ops.create_partition($1, $2, $3::date, $4::date)',
      ['telemetry.request_logs', expired, iso(month(4)), iso(month(3))]))
    const old = await logRow({ route: '/api/v1/me', status: 401, at: new Date(month(4).getTime() + 3 * 86_400_000) })
    const recent = await logRow({ route: '/api/v1/me', status: 401, at: new Date() })
    const archiveDir = await mkdtemp(path.join(tmpdir(), 'tessera-request-logs-'))

    const run = await applyRetention(ctx.testDb.ownerUrl, archiveDir, now)

    expect(run.outcome).toBe('succeeded')
    expect((await ctx.admin.query('select to_regclass($1) as t', [expired])).rows[0].t).toBeNull()
    expect((await ctx.admin.query('select state from ops.partitions where partition_table = $1', [expired])).rows[0].state).toBe('dropped')
    const { rows: left } = await ctx.admin.query('select request_id from telemetry.request_logs where request_id = any($1)', [[old, recent]])
    expect(left).toEqual([{ request_id: recent }])
    const archive = (await listArchives(archiveDir)).find((a) => a.partition === expired)!
    expect(archive.rows).toBe(1)
    const archived = []
    for await (const row of readArchive(archive.path)) {
      archived.push(row)
    }
    expect(archived).toMatchObject([{ request_id: old, route: '/api/v1/me' }])
    const { rows: [policy] } = await ctx.admin.query("select relation, retention_days, last_cleanup from ops.data_retention_policies where table_name = 'mcp_request_logs'")
    expect(policy).toMatchObject({ relation: 'telemetry.request_logs', retention_days: 60 })
    expect(policy.last_cleanup).not.toBeNull()
  })
})
