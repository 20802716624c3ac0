import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { sha256 } from '../../platform/crypto.ts'
import { withContext } from '../../platform/db.ts'
import { auditQuery } from './audit.repository.ts'

interface Entry {
  id: string
  createdAt: string
  tableName: string
  action: string
  eventType: string
  userId: string | null
  userEmail: string | null
  organizationId: string | null
  newValues: Record<string, unknown> | null
}
interface Page {
  entries: Entry[]
  nextCursor: string | null
  from: string
  to: string
}

let ctx: TestContext
let admin: Session
let owner: Session
let member: Session
let outsider: Session
let orgA: string
let orgB: string

async function createOrg(session: Session, name: string): Promise<string> {
  return withContext(ctx.services.db, { userId: session.userId }, async (trx) => {
    const slug = `org-${randomBytes(4).toString('hex')}`
    const { rows } = await sql<{ id: string }>`select private.create_organization(${name}, ${slug}, null) as id`.execute(trx)
    return rows[0]!.id
  })
}

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  owner = await registerUser(ctx.app)
  member = await registerUser(ctx.app)
  outsider = await registerUser(ctx.app)
  orgA = await createOrg(owner, 'Org A')
  orgB = await createOrg(outsider, 'Org B')
  await ctx.admin.query("insert into app.organization_members (organization_id, user_id, role, status) values ($1, $2, 'member', 'active')", [orgA, member.userId])
})
afterAll(async () => {
  await ctx.close()
})

async function get(session: Session, url: string) {
  return ctx.app.inject({ method: 'GET', url, headers: { cookie: session.cookie } })
}

async function page(session: Session, url: string): Promise<Page> {
  const response = await get(session, url)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Page
}

describe('GET /api/v1/admin/audit', () => {
  it('shows an instance administrator every entry, newest first, with the acting user', async () => {
    const body = await page(admin, '/api/v1/admin/audit?limit=200')
    const created = body.entries.find((e) => e.tableName === 'app.organizations' && e.action === 'INSERT' && e.organizationId === orgA)
    expect(created).toMatchObject({ userId: owner.userId, userEmail: owner.email, eventType: 'insert', newValues: expect.objectContaining({ name: 'Org A' }) })
    expect(body.entries.some((e) => e.organizationId === orgB)).toBe(true)
    const times = body.entries.map((e) => Date.parse(e.createdAt))
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(30 * 24 * 60 * 60 * 1000)
  })

  it('answers 403 to anyone else, including organization owners', async () => {
    expect((await get(owner, '/api/v1/admin/audit')).statusCode).toBe(403)
  })

  it('filters by actor id or email, resource and action', async () => {
    const byId = await page(admin, `/api/v1/admin/audit?limit=200&actor=${owner.userId}`)
    expect(byId.entries.length).toBeGreaterThan(0)
    expect(byId.entries.every((e) => e.userId === owner.userId)).toBe(true)
    const byEmail = await page(admin, `/api/v1/admin/audit?limit=200&actor=${encodeURIComponent(owner.email.toUpperCase())}`)
    expect(byEmail.entries.map((e) => e.id).sort()).toEqual(byId.entries.map((e) => e.id).sort())

    const resource = await page(admin, '/api/v1/admin/audit?limit=200&resource=app.organizations')
    expect(resource.entries.map((e) => e.organizationId).sort()).toEqual([orgA, orgB].sort())

    const inserts = await page(admin, '/api/v1/admin/audit?limit=200&action=insert')
    expect(inserts.entries.length).toBeGreaterThan(0)
    expect(inserts.entries.every((e) => e.action === 'INSERT')).toBe(true)
    const events = await page(admin, '/api/v1/admin/audit?limit=200&action=EVENT')
    expect(events.entries.length).toBeGreaterThan(0)
    const eventType = events.entries[0]!.eventType
    const byType = await page(admin, `/api/v1/admin/audit?limit=200&action=${eventType}`)
    expect(byType.entries.length).toBeGreaterThan(0)
    expect(byType.entries.every((e) => e.eventType === eventType && e.action === 'EVENT')).toBe(true)
  })

  it('reads only the requested time window, the last 30 days by default', async () => {
    await ctx.admin.query("select ops.ensure_partitions('audit.audit_log', 'month', 0, 3)")
    const { rows } = await ctx.admin.query<{ id: string }>(
      `insert into audit.audit_log (created_at, table_name, action, event_type, event_category, event_action)
       values (now() - interval '45 days', 'test.old', 'EVENT', 'old_event', 'test', 'old') returning id::text`,
    )
    const oldId = rows[0]!.id
    const recent = await page(admin, '/api/v1/admin/audit?limit=200&resource=test.old')
    expect(recent.entries).toEqual([])
    const from = new Date(Date.now() - 60 * 24 * 60 * 60 * 1000).toISOString()
    const wide = await page(admin, `/api/v1/admin/audit?limit=200&resource=test.old&from=${from}`)
    expect(wide.entries.map((e) => e.id)).toEqual([oldId])
    const before = new Date(Date.now() - 60 * 60 * 1000).toISOString()
    const earlier = await page(admin, `/api/v1/admin/audit?limit=200&to=${before}`)
    expect(earlier.entries.every((e) => Date.parse(e.createdAt) < Date.parse(before))).toBe(true)
    expect(earlier.entries.some((e) => e.organizationId === orgA)).toBe(false)

    const reversed = await get(admin, `/api/v1/admin/audit?from=${new Date().toISOString()}&to=${before}`)
    expect(reversed.statusCode).toBe(400)
    expect(reversed.json().error.code).toBe('validation_failed')
  })

  it('pages through every entry with the cursor, without gaps or repeats', async () => {
    const all = await page(admin, '/api/v1/admin/audit?limit=200')
    expect(all.nextCursor).toBeNull()
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const next: Page = await page(admin, `/api/v1/admin/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      expect(next.entries.length).toBeLessThanOrEqual(3)
      seen.push(...next.entries.map((e) => e.id))
      cursor = next.nextCursor
    } while (cursor)
    expect(seen).toEqual(all.entries.map((e) => e.id))

    const bad = await get(admin, '/api/v1/admin/audit?cursor=not-a-cursor')
    expect(bad.statusCode).toBe(400)
  })

  it('passes literal time bounds so the planner reads only the partitions of the window', async () => {
    const start = new Date()
    start.setUTCDate(1)
    start.setUTCHours(0, 0, 0, 0)
    const end = new Date(start.getTime() + 24 * 60 * 60 * 1000)
    const compiled = auditQuery(ctx.services.db, { from: start, to: end, limit: 10 }).compile()
    const { rows } = await ctx.admin.query<{ 'QUERY PLAN': unknown }>(`explain (format json) ${compiled.sql}`, [...compiled.parameters])
    const partitions = new Set(JSON.stringify(rows[0]!['QUERY PLAN']).match(/audit_log_\d{4}_\d{2}/g))
    const month = `audit_log_${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`
    expect([...partitions]).toEqual([month])
  })
})

async function apiKey(orgId: string, userId: string, scopes: string[]): Promise<string> {
  const token = `tsk_${randomBytes(24).toString('hex')}`
  await ctx.admin.query('insert into auth.api_keys (organization_id, user_id, name, prefix, key_hash, scopes) values ($1, $2, $3, $4, $5, $6)', [
    orgId, userId, 'audit export', token.slice(0, 12), sha256(token), scopes,
  ])
  return token
}

describe('GET /api/v1/orgs/{orgId}/audit', () => {
  it("shows an organization owner their organization's entries only", async () => {
    const body = await page(owner, `/api/v1/orgs/${orgA}/audit?limit=200`)
    expect(body.entries.length).toBeGreaterThan(0)
    expect(body.entries.every((e) => e.organizationId === orgA)).toBe(true)
    expect(body.entries.find((e) => e.tableName === 'app.organizations')).toMatchObject({ action: 'INSERT', userId: owner.userId, userEmail: owner.email })
    expect(body.entries.some((e) => e.tableName === 'app.organization_members' && e.newValues?.user_id === member.userId)).toBe(true)
  })

  it('applies the same filters', async () => {
    const body = await page(owner, `/api/v1/orgs/${orgA}/audit?limit=200&resource=app.organization_members&action=INSERT`)
    expect(body.entries.length).toBe(2)
    expect(body.entries.every((e) => e.tableName === 'app.organization_members' && e.action === 'INSERT')).toBe(true)
  })

  it('refuses members without the owner or admin role with 403', async () => {
    const response = await get(member, `/api/v1/orgs/${orgA}/audit`)
    expect(response.statusCode).toBe(403)
  })

  it('answers 404 for an organization the caller does not belong to, even an instance administrator', async () => {
    expect((await get(outsider, `/api/v1/orgs/${orgA}/audit`)).statusCode).toBe(404)
    expect((await get(owner, `/api/v1/orgs/${orgB}/audit`)).statusCode).toBe(404)
    expect((await get(admin, `/api/v1/orgs/${orgA}/audit`)).statusCode).toBe(404)
    expect((await get(owner, '/api/v1/orgs/not-a-uuid/audit')).statusCode).toBe(404)
  })

  it("lets an owner's API key with the admin scope export the organization's log, and nothing more", async () => {
    const adminKey = await apiKey(orgA, owner.userId, ['admin'])
    const exported = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgA}/audit`, headers: { authorization: `Bearer ${adminKey}` } })
    expect(exported.statusCode).toBe(200)
    expect((exported.json() as Page).entries.every((e) => e.organizationId === orgA)).toBe(true)
    const otherOrg = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgB}/audit`, headers: { authorization: `Bearer ${adminKey}` } })
    expect(otherOrg.statusCode).toBe(404)
    const instanceLog = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: { authorization: `Bearer ${adminKey}` } })
    expect(instanceLog.statusCode).toBe(401)
    const readKey = await apiKey(orgA, owner.userId, ['read'])
    const readOnly = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgA}/audit`, headers: { authorization: `Bearer ${readKey}` } })
    expect(readOnly.statusCode).toBe(403)
    expect(readOnly.json().error.code).toBe('insufficient_scope')
  })
})
