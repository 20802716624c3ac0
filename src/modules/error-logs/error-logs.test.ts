import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { buildApp } from '../../app.ts'
import { ErrorRecorder, errorLogDropped } from '../../platform/error-recorder.ts'

/**
 * Error logs end to end: a real route fails (its table is renamed away under it, so every
 * request answers 500 with PostgreSQL's 42P01), the HTTP error handler hands each failure to
 * the recorder, the recorder's flush groups them in telemetry.error_logs, and the admin API
 * lists, searches and resolves the groups.
 */

let ctx: TestContext
let admin: Session
let org: OrgFixture
let orgAdmin: Session
let outsider: OrgFixture

interface Group {
  id: string
  organizationId: string | null
  message: string
  errorCode: string | null
  category: string | null
  severity: number | null
  occurrenceCount: number
  resolved: boolean
  reopenedCount: number
  where: string | null
  source: string | null
}

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  orgAdmin = await addMember(ctx.app, org, 'admin')
  outsider = await createOrg(ctx.app, await registerUser(ctx.app))
  // The metrics list of every organization now fails inside the route with a database error.
  await ctx.admin.query('alter table app.metrics rename to metrics_moved_away')
})
afterAll(async () => {
  await ctx.close()
})

const failMetricsList = (session: Session = org.owner) => ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/metrics`, headers: { cookie: session.cookie } })

async function groupsWhere(condition: string, values: unknown[] = []) {
  const { rows } = await ctx.admin.query<{ id: string; occurrence_count: number; resolved: boolean; reopened_count: number; organization_id: string | null; context: Record<string, unknown>; category: string; level: string; error_code: string; service_version: string; environment: string; severity: number; impact_level: string }>(
    `select id::text, occurrence_count, resolved, reopened_count, organization_id, context, category, level, error_code, service_version, environment, severity, impact_level
       from telemetry.error_logs where ${condition} order by id`, values)
  return rows
}

const list = (query = '', session: Session = admin) => ctx.app.inject({ method: 'GET', url: `/api/v1/admin/errors${query}`, headers: { cookie: session.cookie } })

describe('recording server errors', () => {
  it('groups 1,000 identical failures of a real route into one group with occurrence_count 1,000', async () => {
    for (let batch = 0; batch < 50; batch++) {
      const responses = await Promise.all(Array.from({ length: 20 }, () => failMetricsList()))
      for (const response of responses) {
        expect(response.statusCode).toBe(500)
        expect(response.json().error.code).toBe('internal_error')
      }
    }
    await ctx.services.errors.flush()
    const groups = await groupsWhere(`context->>'route' = '/api/v1/orgs/:orgId/metrics'`)
    expect(groups).toHaveLength(1)
    const [group] = groups
    expect(group).toMatchObject({
      occurrence_count: 1000,
      resolved: false,
      organization_id: org.id,
      level: 'error',
      error_code: '42P01',
      category: 'database',
      severity: 4,
      impact_level: 'high',
      environment: 'test',
      service_version: '0.1.0',
    })
    expect(group!.context).toMatchObject({ method: 'GET', path: `/api/v1/orgs/${org.id}/metrics`, statusCode: 500, source: 'http', actor: 'session' })
  })

  it('answers the failing request without waiting for the error log (the writer is blocked meanwhile)', async () => {
    const blocker = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await blocker.connect()
    try {
      await blocker.query('begin')
      await blocker.query('lock table telemetry.error_fingerprints in access exclusive mode')
      const before = await groupsWhere(`context->>'route' = '/api/v1/orgs/:orgId/metrics'`)
      const started = Date.now()
      const response = await failMetricsList()
      expect(response.statusCode).toBe(500)
      // The flush (stuck behind the lock) is not on the request's path.
      const flushed = ctx.services.errors.flush()
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(Date.now() - started).toBeLessThan(5_000)
      expect((await groupsWhere(`context->>'route' = '/api/v1/orgs/:orgId/metrics'`))[0]!.occurrence_count).toBe(before[0]!.occurrence_count)
      await blocker.query('rollback')
      await flushed
      expect((await groupsWhere(`context->>'route' = '/api/v1/orgs/:orgId/metrics'`))[0]!.occurrence_count).toBe(before[0]!.occurrence_count + 1)
    } finally {
      await blocker.end()
    }
  })

  it('stores no cookie, CSRF token or session secret of the failing request', async () => {
    await failMetricsList()
    await ctx.services.errors.flush()
    const { rows } = await ctx.admin.query<{ row: string }>(`select to_jsonb(l)::text as row from telemetry.error_logs l where context->>'route' = '/api/v1/orgs/:orgId/metrics'`)
    const cookieValue = org.owner.cookie.split('=')[1]!
    expect(rows[0]!.row).not.toContain(cookieValue)
    expect(rows[0]!.row).not.toContain(org.owner.csrf)
  })

  it('keeps a client mistake (4xx) out of the error log', async () => {
    const before = await groupsWhere('true')
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/dashboards/${randomUUID()}`, headers: { cookie: org.owner.cookie } })
    expect(response.statusCode).toBe(404)
    await ctx.services.errors.flush()
    expect(await groupsWhere('true')).toEqual(before)
  })
})

describe('grouping', () => {
  // Real errors thrown from one place, as a service would: same code path, varying values.
  function failLookup(what: string): Error {
    try {
      throw new Error(`Pipeline ${what} has no mapping for field "${randomUUID().slice(0, 6)}" after ${Math.floor(Math.random() * 10_000)} records`)
    } catch (error) {
      return error as Error
    }
  }

  it('groups messages that differ only by ids, numbers and quoted values, and keeps other messages apart', async () => {
    for (let i = 0; i < 5; i++) {
      ctx.services.errors.record({ error: failLookup(randomUUID()), source: 'http', requestId: `req-${i}`, context: { route: '/grouping' } })
    }
    ctx.services.errors.record({ error: new Error('Pipeline store is unavailable'), source: 'http', context: { route: '/grouping' } })
    await ctx.services.errors.flush()
    const groups = (await groupsWhere(`context->>'route' = '/grouping'`)).sort((a, b) => b.occurrence_count - a.occurrence_count)
    expect(groups.map((g) => g.occurrence_count)).toEqual([5, 1])
    expect(groups[0]!.organization_id).toBeNull()
    expect(groups[0]!.category).toBe('internal')
  })

  it('groups per organization: the same fault in another organization is another group', async () => {
    const error = new Error('Quota ledger out of sync')
    ctx.services.errors.record({ error, source: 'job', organizationId: org.id, context: { route: '/per-org' } })
    ctx.services.errors.record({ error, source: 'job', organizationId: outsider.id, context: { route: '/per-org' } })
    ctx.services.errors.record({ error, source: 'job', context: { route: '/per-org' } })
    await ctx.services.errors.flush()
    const groups = await groupsWhere(`context->>'route' = '/per-org'`)
    expect(groups.map((g) => g.organization_id).sort()).toEqual([org.id, outsider.id, null].sort())
  })

  it("files an error under the instance when the user is no member of the URL's organization", async () => {
    const stranger = await registerUser(ctx.app)
    ctx.services.errors.record({ error: new Error('Forged attribution attempt'), source: 'http', organizationId: org.id, userId: stranger.userId, context: { route: '/forged' } })
    await ctx.services.errors.flush()
    expect((await groupsWhere(`context->>'route' = '/forged'`)).map((g) => g.organization_id)).toEqual([null])
  })

  it('redacts secrets from the message and the context', async () => {
    const error = new Error('connect to postgres://reporter:hunter2pw@db.internal/app failed with key tsk_abcdef0123456789')
    ctx.services.errors.record({
      error,
      source: 'http',
      context: { route: '/secrets', query: { password: 'p@ss', token: 'tok-123', page: 2 }, nested: { apiKey: 'k-999', authorization: 'Bearer abc.def' } },
    })
    await ctx.services.errors.flush()
    const { rows } = await ctx.admin.query<{ row: string; context: Record<string, unknown>; message: string }>(
      `select to_jsonb(l)::text as row, context, message from telemetry.error_logs l where context->>'route' = '/secrets'`)
    for (const secret of ['hunter2pw', 'tsk_abcdef0123456789', 'p@ss', 'tok-123', 'k-999', 'abc.def']) {
      expect(rows[0]!.row).not.toContain(secret)
    }
    expect(rows[0]!.message).toBe('connect to postgres://reporter:[redacted]@db.internal/app failed with key tsk_[redacted]')
    expect(rows[0]!.context).toMatchObject({ query: { password: '[redacted]', token: '[redacted]', page: 2 }, nested: { apiKey: '[redacted]', authorization: '[redacted]' } })
  })
})

describe('GET /api/v1/admin/errors', () => {
  it('lists groups with their count, category and where they happened', async () => {
    const response = await list('?q=relation')
    expect(response.statusCode).toBe(200)
    const group = (response.json().errors as Group[]).find((g) => g.where === 'GET /api/v1/orgs/:orgId/metrics')
    expect(group).toMatchObject({ organizationId: org.id, errorCode: '42P01', category: 'database', source: 'http', resolved: false })
    expect(group!.occurrenceCount).toBeGreaterThanOrEqual(1000)
  })

  it('finds a group by full-text search over its message, with stemming, and nothing for absent words', async () => {
    const found = (await list('?q=' + encodeURIComponent('ledger syncing'))).json().errors as Group[]
    expect(found.map((g) => g.message)).toEqual(['Quota ledger out of sync', 'Quota ledger out of sync', 'Quota ledger out of sync'])
    expect((await list('?q=zebracorn')).json().errors).toEqual([])
  })

  it('uses the GIN index of the seed for the search', async () => {
    await ctx.admin.query('set enable_seqscan = off')
    try {
      const { rows } = await ctx.admin.query<{ 'QUERY PLAN': string }>(
        `explain select id from telemetry.error_logs where to_tsvector('english', message) @@ websearch_to_tsquery('english', 'ledger')`)
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on \S*(tsvector|fts)\S*/)
    } finally {
      await ctx.admin.query('reset enable_seqscan')
    }
  })

  it('filters by category, level and resolution, and sorts by count', async () => {
    const byCategory = (await list('?category=database')).json().errors as Group[]
    expect(byCategory.length).toBeGreaterThan(0)
    expect(byCategory.every((g) => g.category === 'database')).toBe(true)
    const byCount = (await list('?sort=occurrence_count&limit=100')).json().errors as Group[]
    const counts = byCount.map((g) => g.occurrenceCount)
    expect(counts).toEqual([...counts].sort((a, b) => b - a))
    expect((await list('?resolved=true')).json().errors).toEqual([])
    expect((await list('?level=fatal')).json().errors).toEqual([])
  })

  it('pages with a cursor that belongs to its sort', async () => {
    const first = await list('?limit=2')
    const body = first.json() as { errors: Group[]; nextCursor: string | null }
    expect(body.errors).toHaveLength(2)
    expect(body.nextCursor).not.toBeNull()
    const second = (await list(`?limit=2&cursor=${body.nextCursor}`)).json() as { errors: Group[] }
    expect(second.errors.length).toBeGreaterThan(0)
    expect(second.errors.map((g) => g.id)).not.toContain(body.errors[0]!.id)
    expect(second.errors.map((g) => g.id)).not.toContain(body.errors[1]!.id)
    const wrongSort = await list(`?limit=2&sort=occurrence_count&cursor=${body.nextCursor}`)
    expect(wrongSort.statusCode).toBe(400)
    expect(wrongSort.json().error.code).toBe('validation_failed')
  })

  it('refuses users who are not instance administrators', async () => {
    const response = await list('', org.owner)
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('forbidden')
  })
})

describe('resolving', () => {
  it('resolves with notes, and a new failure reopens the group and keeps the resolution in its history', async () => {
    const [group] = (await list('?q=relation')).json().errors as Group[]
    expect(group).toBeDefined()
    const resolved = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/errors/${group!.id}/resolve`, headers: admin.headers, payload: { notes: 'Table restored from backup' } })
    expect(resolved.statusCode).toBe(200)
    expect(resolved.json()).toMatchObject({ resolved: true, resolvedBy: admin.userId, resolvedByEmail: admin.email, resolutionNotes: 'Table restored from backup' })
    expect((await list('?resolved=false&q=relation')).json().errors).toEqual([])

    expect((await failMetricsList()).statusCode).toBe(500)
    await ctx.services.errors.flush()
    const detail = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/errors/${group!.id}`, headers: { cookie: admin.cookie } })
    expect(detail.statusCode).toBe(200)
    const body = detail.json()
    expect(body).toMatchObject({ resolved: false, reopenedCount: 1, resolutionNotes: null, resolvedAt: null, occurrenceCount: group!.occurrenceCount + 1 })
    expect(body.context.resolutionHistory).toEqual([expect.objectContaining({ notes: 'Table restored from backup', resolvedBy: admin.userId })])
    expect(body.stackTrace).toContain('at ')
  })

  it('needs notes', async () => {
    const [group] = (await list('?q=relation')).json().errors as Group[]
    const blank = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/errors/${group!.id}/resolve`, headers: admin.headers, payload: { notes: '   ' } })
    expect(blank.statusCode).toBe(400)
    expect(blank.json().error.code).toBe('validation_failed')
  })

  it('answers 404 for a group that does not exist', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/errors/999999999/resolve', headers: admin.headers, payload: { notes: 'x' } })
    expect(response.statusCode).toBe(404)
  })
})

describe('organization routes', () => {
  it("show an organization's admins its groups, without stack traces, and resolve them", async () => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/errors?q=relation`, headers: { cookie: orgAdmin.cookie } })
    expect(response.statusCode).toBe(200)
    const groups = response.json().errors as Group[]
    expect(groups.length).toBe(1)
    expect(groups.every((g) => g.organizationId === org.id)).toBe(true)
    const detail = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/errors/${groups[0]!.id}`, headers: { cookie: orgAdmin.cookie } })
    expect(detail.json()).toMatchObject({ stackTrace: null, errorCode: '42P01' })
    const resolved = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/errors/${groups[0]!.id}/resolve`, headers: orgAdmin.headers, payload: { notes: 'Known outage' } })
    expect(resolved.statusCode).toBe(200)
    expect(resolved.json()).toMatchObject({ resolved: true, resolvedBy: orgAdmin.userId })
  })

  it("show another organization none of them, and its error ids answer 404", async () => {
    const [group] = (await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/errors`, headers: { cookie: orgAdmin.cookie } })).json().errors as Group[]
    const mine = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${outsider.id}/errors`, headers: { cookie: outsider.owner.cookie } })
    expect((mine.json().errors as Group[]).map((g) => g.organizationId)).toEqual([outsider.id])
    const foreign = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${outsider.id}/errors/${group!.id}`, headers: { cookie: outsider.owner.cookie } })
    expect(foreign.statusCode).toBe(404)
  })

  it('refuse plain members', async () => {
    const member = await addMember(ctx.app, org, 'member')
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/errors`, headers: { cookie: member.cookie } })
    expect(response.statusCode).toBe(403)
  })
})

describe('daily_error_summary', () => {
  it('counts the groups by day, level and category after the analytics refresh', async () => {
    const owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
    await owner.connect()
    try {
      await owner.query('select * from ops.refresh_analytics_views()')
    } finally {
      await owner.end()
    }
    const { rows } = await ctx.admin.query<{ error_count: string }>(
      `select error_count::text from telemetry.daily_error_summary where organization_id = $1 and category = 'database'`, [org.id])
    expect(rows.map((r) => Number(r.error_count))).toEqual([1])
  })
})

describe('the recorder', () => {
  it('writes what it still holds when the app closes (graceful shutdown)', async () => {
    const second = await buildApp(ctx.services)
    await second.ready()
    ctx.services.errors.record({ error: new Error('Recorded just before shutdown'), source: 'http', context: { route: '/shutdown' } })
    await second.close()
    expect((await groupsWhere(`context->>'route' = '/shutdown'`)).map((g) => g.occurrence_count)).toEqual([1])
  })

  it('holds a bounded number of groups and counts what it drops', async () => {
    const recorder = new ErrorRecorder(ctx.services.db, { environment: 'test' })
    const dropped = async () => (await errorLogDropped.get()).values.find((v) => v.labels.reason === 'buffer_full')?.value ?? 0
    const before = await dropped()
    // Synchronous: no flush can run in between, so the buffer fills up.
    for (let i = 0; i < 600; i++) {
      recorder.record({ error: new Error(`Flood kind ${'x'.repeat(i % 50)}-${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}`), source: 'http', context: { route: '/flood' } })
    }
    expect(await dropped()).toBe(before + 100)
    await recorder.close()
    expect(await groupsWhere(`context->>'route' = '/flood'`)).toHaveLength(500)
  })
})
