import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, createTeam, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx.close()
})

const url = (rest = '') => `/api/v1/orgs/${org.id}/dashboards${rest}`
const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, who: Session, payload?: unknown) =>
  ctx.app.inject({ method, url: url(path), headers: who.headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) })
const create = async (name: string, who: Session = org.owner, extra: Record<string, unknown> = {}) => {
  const response = await call('POST', '', who, { name, ...extra })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as { id: string; slug: string; name: string }
}

describe('dashboards', () => {
  it('creates with a slug unique per organization, reads (counting a view), updates, lists', async () => {
    const first = await create('Sales Overview', org.owner, { description: 'Q1', tags: ['sales'] })
    const second = await create('Sales overview!')
    expect(first.slug).toBe('sales-overview')
    expect(second.slug).toBe('sales-overview-2')
    expect(first).toMatchObject({ tags: ['sales'], description: 'Q1', refreshInterval: 300, isPublic: false, viewCount: 0, permission: 'admin', theme: { primary: '#1976d2' } })

    const read = await call('GET', `/${first.id}`, org.owner)
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ viewCount: 1 })
    expect(read.json().lastViewedAt).not.toBeNull()
    const { rows } = await ctx.admin.query('select action, user_id, user_agent, session_id from telemetry.dashboard_usage_logs where dashboard_id = $1', [first.id])
    expect(rows).toEqual([{ action: 'view', user_id: org.owner.userId, user_agent: expect.any(String), session_id: expect.any(String) }])

    const patched = await call('PATCH', `/${first.id}`, org.owner, {
      name: 'Sales', theme: { secondary: '#00ff00' }, filters: { region: 'eu' }, layout: { grid: { cols: 12, rows: 20 } }, refreshInterval: 60, tags: ['sales', 'q1'],
    })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ name: 'Sales', slug: 'sales-overview', theme: { primary: '#1976d2', secondary: '#00ff00' }, filters: { region: 'eu' }, refreshInterval: 60, tags: ['sales', 'q1'] })
    expect((await call('PATCH', `/${first.id}`, org.owner, { refreshInterval: -1 })).statusCode).toBe(400)
    expect((await call('PATCH', `/${first.id}`, org.owner, { theme: { primary: 'red' } })).statusCode).toBe(400)

    const byTag = (await call('GET', '?tag=q1', org.owner)).json()
    expect(byTag.dashboards.map((d: { id: string }) => d.id)).toEqual([first.id])
    const byViews = (await call('GET', '?sort=views', org.owner)).json()
    expect(byViews.dashboards[0].id).toBe(first.id)
    expect(byViews.total).toBeGreaterThanOrEqual(2)
  })

  it('finds "Revenue" for the typo "revnue" (trigram)', async () => {
    const revenue = await create('Monthly Revenue')
    await create('Churn analysis')
    const found = (await call('GET', '?q=revnue', org.owner)).json()
    expect(found.dashboards.map((d: { id: string }) => d.id)).toContain(revenue.id)
    expect(found.dashboards.map((d: { name: string }) => d.name)).not.toContain('Churn analysis')
  })

  it('stars and filters by starred and owner', async () => {
    const member = await addMember(ctx.app, org, 'member')
    const mine = await create('Member board', member)
    const other = await create('Owner board')
    expect((await call('PUT', `/${other.id}/star`, member)).statusCode).toBe(204)
    expect((await call('PUT', `/${other.id}/star`, member)).statusCode).toBe(204)
    const starred = (await call('GET', '?starred=true', member)).json()
    expect(starred.dashboards.map((d: { id: string }) => d.id)).toEqual([other.id])
    expect(starred.dashboards[0].starred).toBe(true)
    const owned = (await call('GET', '?owner=me', member)).json()
    expect(owned.dashboards.map((d: { id: string }) => d.id)).toEqual([mine.id])
    expect((await call('DELETE', `/${other.id}/star`, member)).statusCode).toBe(204)
    expect((await call('GET', '?starred=true', member)).json().dashboards).toEqual([])
  })

  it('soft deletes and restores within 30 days, and refuses after', async () => {
    const board = await create('Short lived')
    expect((await call('DELETE', `/${board.id}`, org.owner)).statusCode).toBe(204)
    expect((await call('GET', `/${board.id}`, org.owner)).statusCode).toBe(404)
    expect((await call('GET', '', org.owner)).json().dashboards.map((d: { id: string }) => d.id)).not.toContain(board.id)
    expect((await call('GET', '?deleted=true', org.owner)).json().dashboards.map((d: { id: string }) => d.id)).toContain(board.id)
    const restored = await call('POST', `/${board.id}/restore`, org.owner)
    expect(restored.statusCode, restored.body).toBe(200)
    expect(restored.json().deletedAt).toBeNull()
    expect((await call('GET', `/${board.id}`, org.owner)).statusCode).toBe(200)

    expect((await call('DELETE', `/${board.id}`, org.owner)).statusCode).toBe(204)
    await ctx.admin.query("update app.dashboards set deleted_at = now() - interval '31 days' where id = $1", [board.id])
    const late = await call('POST', `/${board.id}/restore`, org.owner)
    expect(late.statusCode).toBe(410)
    expect(late.json().error.code).toBe('restore_window_expired')
  })

  it('duplicates a dashboard with its widgets', async () => {
    const board = await create('Ops')
    await ctx.admin.query(
      `insert into app.widgets (organization_id, dashboard_id, widget_type, title, position, config, data_query)
       values ($1, $2, 'line_chart', 'Latency', '{"x":0,"y":0,"w":6,"h":3}', '{"unit":"ms"}', '{"source":"metric"}'),
              ($1, $2, 'stat_card', 'Errors', '{"x":6,"y":0,"w":3,"h":2}', '{}', '{}')`,
      [org.id, board.id],
    )
    const copy = await call('POST', `/${board.id}/duplicate`, org.owner, {})
    expect(copy.statusCode, copy.body).toBe(201)
    expect(copy.json()).toMatchObject({ name: 'Ops (copy)', slug: 'ops-copy', viewCount: 0 })
    const { rows } = await ctx.admin.query('select widget_type, title, position, config, data_query from app.widgets where dashboard_id = $1 order by title', [copy.json().id])
    expect(rows).toEqual([
      { widget_type: 'stat_card', title: 'Errors', position: { x: 6, y: 0, w: 3, h: 2 }, config: {}, data_query: {} },
      { widget_type: 'line_chart', title: 'Latency', position: { x: 0, y: 0, w: 6, h: 3 }, config: { unit: 'ms' }, data_query: { source: 'metric' } },
    ])
  })
})

describe('dashboard permissions', () => {
  it('lets viewers read but never edit, create or duplicate', async () => {
    const viewer = await addMember(ctx.app, org, 'viewer')
    const board = await create('Open board')
    expect((await call('GET', `/${board.id}`, viewer)).statusCode).toBe(200)
    const edit = await call('PATCH', `/${board.id}`, viewer, { name: 'Hijacked' })
    expect(edit.statusCode).toBe(403)
    // Even an explicit edit grant does not lift the viewer role.
    expect((await call('PUT', `/${board.id}/permissions`, org.owner, { permissions: [{ userId: viewer.userId, permission: 'edit' }] })).statusCode).toBe(200)
    expect((await call('PATCH', `/${board.id}`, viewer, { name: 'Hijacked' })).statusCode).toBe(403)
    expect((await call('DELETE', `/${board.id}`, viewer)).statusCode).toBe(403)
    expect((await call('POST', '', viewer, { name: 'Mine' })).statusCode).toBe(403)
    expect((await call('POST', `/${board.id}/duplicate`, viewer, {})).statusCode).toBe(403)
    // Starring is not editing.
    expect((await call('PUT', `/${board.id}/star`, viewer)).statusCode).toBe(204)
  })

  it('answers 404 to a member without permission on a restricted dashboard, and team grants work', async () => {
    const creator = await addMember(ctx.app, org, 'member')
    const outsider = await addMember(ctx.app, org, 'member')
    const teammate = await addMember(ctx.app, org, 'member')
    const team = await createTeam(ctx.app, org)
    const joined = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/teams/${team}/members`, headers: org.owner.headers, payload: { userId: teammate.userId } })
    expect(joined.statusCode, joined.body).toBe(201)

    const board = await create('Secret plans', creator)
    // Unrestricted: every member sees it, but only the creator (and managers) edit it.
    const open = await call('GET', `/${board.id}`, outsider)
    expect(open.statusCode).toBe(200)
    expect(open.json().restricted).toBe(false)
    expect((await call('PATCH', `/${board.id}`, outsider, { name: 'x' })).statusCode).toBe(403)

    const granted = await call('PUT', `/${board.id}/permissions`, creator, { permissions: [{ teamId: team, permission: 'edit' }] })
    expect(granted.statusCode, granted.body).toBe(200)
    expect(granted.json().permissions).toMatchObject([{ teamId: team, userId: null, permission: 'edit', grantedBy: creator.userId }])

    for (const [method, path, body] of [
      ['GET', `/${board.id}`, undefined],
      ['PATCH', `/${board.id}`, { name: 'x' }],
      ['DELETE', `/${board.id}`, undefined],
      ['PUT', `/${board.id}/star`, undefined],
      ['GET', `/${board.id}/permissions`, undefined],
      ['POST', `/${board.id}/duplicate`, {}],
    ] as const) {
      const response = await call(method, path, outsider, body)
      expect(response.statusCode, `${method} ${path}`).toBe(404)
      expect(response.json().error.code).toBe('not_found')
    }
    expect((await call('GET', '', outsider)).json().dashboards.map((d: { id: string }) => d.id)).not.toContain(board.id)

    // The team member edits, but may not manage permissions (admin).
    const edited = await call('PATCH', `/${board.id}`, teammate, { description: 'by the team' })
    expect(edited.statusCode, edited.body).toBe(200)
    expect(edited.json().permission).toBe('edit')
    expect(edited.json().restricted).toBe(true)
    expect((await call('GET', `/${board.id}/permissions`, teammate)).statusCode).toBe(403)
    expect((await call('GET', '', teammate)).json().dashboards.map((d: { id: string }) => d.id)).toContain(board.id)
    // Org admins always see and manage it.
    const admin = await addMember(ctx.app, org, 'admin')
    expect((await call('GET', `/${board.id}/permissions`, admin)).statusCode).toBe(200)

    // Bad entries are 400, not 500.
    expect((await call('PUT', `/${board.id}/permissions`, creator, { permissions: [{ permission: 'view' }] })).statusCode).toBe(400)
    const stranger = await registerUser(ctx.app)
    expect((await call('PUT', `/${board.id}/permissions`, creator, { permissions: [{ userId: stranger.userId, permission: 'view' }] })).statusCode).toBe(400)

    // Clearing permissions makes it visible to all members again.
    expect((await call('DELETE', `/${board.id}/permissions`, creator)).statusCode).toBe(204)
    const reopened = await call('GET', `/${board.id}`, outsider)
    expect(reopened.statusCode).toBe(200)
    expect(reopened.json().restricted).toBe(false)
  })
})
