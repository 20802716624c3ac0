import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { runTessera } from '../../../test/cli/run.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric } from '../timeseries/series.fixtures.ts'

/** `tessera dashboards export|import`, spawned as an operator would run it, against the test database. */

const TIMEOUT_MS = 60_000

let ctx: TestContext
let home: string

beforeAll(async () => {
  ctx = await createTestApp()
  home = mkdtempSync(path.join(tmpdir(), 'tessera-dashboards-cli-'))
})
afterAll(async () => {
  await ctx?.close()
  rmSync(home, { recursive: true, force: true })
})

const tessera = (args: string[]) => runTessera(args, { databaseUrl: ctx.testDb.adminUrl, home, timeoutMs: TIMEOUT_MS })


const api = (org: OrgFixture, method: 'GET' | 'POST' | 'PUT', rest: string, payload?: Record<string, unknown>) =>
  ctx.app.inject({ method, url: `/api/v1/orgs/${org.id}/dashboards${rest}`, headers: org.owner.headers, ...(payload && { payload }) })

describe('tessera dashboards export | import', () => {
  it('round-trips a dashboard through a file into another organization, as its owner or a given member', async () => {
    const a = await createOrg(ctx.app, await registerUser(ctx.app))
    const b = await createOrg(ctx.app, await registerUser(ctx.app))
    const memberB = await addMember(ctx.app, b, 'member')
    const viewerB = await addMember(ctx.app, b, 'viewer')
    await createMetric(ctx.admin, a.id, 'cli.orders')
    const metricB = await createMetric(ctx.admin, b.id, 'cli.orders')
    const { rows } = await ctx.admin.query<{ id: string }>("select id from app.metrics where organization_id = $1 and name = 'cli.orders'", [a.id])
    const board = (await api(a, 'POST', '', { name: 'Ops from git', tags: ['git'] })).json()
    const saved = await api(a, 'PUT', `/${board.id}/document`, {
      refreshInterval: 60,
      widgets: [
        { type: 'line_chart', title: 'Orders', position: { x: 0, y: 2, w: 12, h: 4 }, dataQuery: { source: 'metric', metricId: rows[0]!.id, bucket: '1h', groupBy: 'store' } },
        { type: 'text', title: 'Readme', position: { x: 0, y: 0, w: 12, h: 2 }, config: { markdown: 'Kept in git' } },
      ],
    })
    expect(saved.statusCode, saved.body).toBe(200)

    const file = path.join(home, 'ops.dashboard.json')
    const exported = await tessera(['dashboards', 'export', board.id, '--org', a.slug, '--out', file])
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toBe(`exported “Ops from git” (2 widgets) to ${file}\n`)
    const document = JSON.parse(readFileSync(file, 'utf8'))
    expect(document).toMatchObject({ format: 'tessera.dashboard', formatVersion: 1, dashboard: { name: 'Ops from git', tags: ['git'], refreshInterval: 60 } })
    expect(document.widgets.map((w: { title: string }) => w.title)).toEqual(['Readme', 'Orders'])
    expect(document.widgets[1].dataQuery).toEqual({ source: 'metric', metric: 'cli.orders', bucket: '1h', groupBy: 'store' })

    // To standard output, the dashboard named by its slug and the organization by its id.
    const printed = await tessera(['dashboards', 'export', board.slug, '--org', a.id])
    expect(printed.code, printed.stderr).toBe(0)
    const { exportedAt: _a, ...fromStdout } = JSON.parse(printed.stdout)
    const { exportedAt: _b, ...fromFile } = document
    expect(fromStdout).toEqual(fromFile)

    const imported = await tessera(['dashboards', 'import', file, '--org', b.slug])
    expect(imported.code, imported.stderr).toBe(0)
    const match = /^imported “Ops from git” as ([0-9a-f-]{36}) \(slug ops-from-git\)\n$/.exec(imported.stdout)
    expect(match, imported.stdout).not.toBeNull()
    const copy = (await api(b, 'GET', `/${match![1]}`)).json()
    expect(copy).toMatchObject({ name: 'Ops from git', createdBy: b.owner.userId, refreshInterval: 60 })
    const widgets = (await api(b, 'GET', `/${copy.id}/widgets`)).json().widgets
    expect(widgets.find((w: { title: string }) => w.title === 'Orders').dataQuery).toEqual({ source: 'metric', metricId: metricB, bucket: '1h', groupBy: 'store' })
    const reexported = (await api(b, 'GET', `/${copy.id}/export`)).json()
    expect({ ...reexported, exportedAt: null }).toEqual({ ...document, exportedAt: null })

    const asMember = await tessera(['dashboards', 'import', file, '--org', b.id, '--as', memberB.email])
    expect(asMember.code, asMember.stderr).toBe(0)
    const memberCopy = /as ([0-9a-f-]{36}) \(slug ops-from-git-2\)/.exec(asMember.stdout)
    expect(memberCopy, asMember.stdout).not.toBeNull()
    expect((await api(b, 'GET', `/${memberCopy![1]}`)).json().createdBy).toBe(memberB.userId)

    const asViewer = await tessera(['dashboards', 'import', file, '--org', b.id, '--as', viewerB.email])
    expect(asViewer.code).not.toBe(0)
    expect(asViewer.stderr.trim().split('\n')).toEqual([expect.stringContaining('viewers cannot import dashboards')])
  }, 8 * TIMEOUT_MS)

  it('fails with one line and a non-zero exit: unresolved sources (unless allowed), unknown organization, member or file', async () => {
    const a = await createOrg(ctx.app, await registerUser(ctx.app))
    const empty = await createOrg(ctx.app, await registerUser(ctx.app))
    const metricA = await createMetric(ctx.admin, a.id, 'cli.missing')
    const board = (await api(a, 'POST', '', { name: 'Needs a metric' })).json()
    expect((await api(a, 'PUT', `/${board.id}/document`, { widgets: [{ type: 'stat_card', title: 'Total', position: { x: 0, y: 0, w: 4, h: 2 }, dataQuery: { source: 'metric', metricId: metricA } }] })).statusCode).toBe(200)
    const file = path.join(home, 'needs.dashboard.json')
    expect((await tessera(['dashboards', 'export', board.id, '--org', a.slug, '--out', file])).code).toBe(0)

    const refused = await tessera(['dashboards', 'import', file, '--org', empty.slug])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/metric 'cli\.missing'.*unresolved_references/)])
    expect((await api(empty, 'GET', '')).json().total).toBe(0)

    const allowed = await tessera(['dashboards', 'import', file, '--org', empty.slug, '--allow-missing'])
    expect(allowed.code, allowed.stderr).toBe(0)
    const { dashboards } = (await api(empty, 'GET', '')).json()
    const widgets = (await api(empty, 'GET', `/${dashboards[0].id}/widgets`)).json().widgets
    expect(widgets).toMatchObject([{ title: 'Total', dataQuery: null, config: { missingSource: "metric 'cli.missing'" } }])

    for (const [args, reason] of [
      [['dashboards', 'import', file, '--org', 'no-such-org'], 'no organization no-such-org'],
      [['dashboards', 'import', file, '--org', a.slug, '--as', 'stranger@example.com'], 'stranger@example.com is not an active member'],
      [['dashboards', 'import', path.join(home, 'absent.json'), '--org', a.slug], 'cannot read'],
      [['dashboards', 'export', '00000000-0000-4000-8000-000000000000', '--org', a.slug], 'dashboard does not exist'],
    ] as const) {
      const result = await tessera([...args])
      expect(result.code, args.join(' ')).not.toBe(0)
      expect(result.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringContaining(reason)])
    }
  }, 8 * TIMEOUT_MS)
})
