import { expect } from 'vitest'
import type { Session, TestContext } from '../../../test/app.ts'
import type { OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, insertBatch, type Point } from '../timeseries/series.fixtures.ts'

/** Test plumbing of the sharing tests: a dashboard with data, and checks that a JSON body leaks nothing. */

const HOUR = 3_600_000

/** Keys that must never appear anywhere in a public payload or its data. */
export const FORBIDDEN_KEYS = [
  'id', 'dashboardId', 'widgetId', 'organizationId', 'organization_id', 'orgId', 'org', 'userId', 'user_id', 'createdBy', 'created_by', 'teamId', 'team_id',
  'metricId', 'pipelineId', 'queryId', 'dataSourceId', 'data_source_id', 'dataQuery', 'data_query', 'queryConfig', 'query_config', 'cacheDuration', 'cache_duration',
  'slug', 'permission', 'permissions', 'token', 'publicToken', 'public_token_hash', 'publicTokenPrefix', 'sql', 'queryText', 'query_text', 'credentials', 'config', 'secret', 'apiKey',
]
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i

/** Every object key of a JSON value, at any depth, with its path. */
export function keysOf(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysOf(v, `${path}[${i}]`))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [`${path}.${k}`, ...keysOf(v, `${path}.${k}`)])
  }
  return []
}

/** Fails with the offending paths when a body carries a forbidden key or anything shaped like a UUID. */
export function expectNothingLeaked(body: string, secrets: string[] = []): void {
  const leakedKeys = keysOf(JSON.parse(body)).filter((path) => FORBIDDEN_KEYS.includes(path.slice(path.lastIndexOf('.') + 1)))
  expect(leakedKeys).toEqual([])
  expect(body).not.toMatch(UUID)
  for (const secret of secrets) expect(body).not.toContain(secret)
}

export interface SharedBoard {
  id: string
  metricId: string
  widgetIds: string[]
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export function api(ctx: TestContext, org: OrgFixture) {
  return (method: Method, path: string, who: Session | null = org.owner, payload?: unknown) =>
    ctx.app.inject({ method, url: `/api/v1/orgs/${org.id}${path}`, headers: who?.headers ?? {}, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) })
}

/**
 * A dashboard with a line chart grouped by region, a stat card, a text and an image widget; the
 * configs carry keys that must not be shared (a secret, an id) next to display options.
 * Points: eu 2 and 4, us 3, in the hours before now.
 */
export async function sharedBoard(ctx: TestContext, org: OrgFixture, who: Session = org.owner): Promise<SharedBoard> {
  const call = api(ctx, org)
  const metricId = await createMetric(ctx.admin, org.id, `shared.orders.${Math.random().toString(36).slice(2, 8)}`, 'sum')
  const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR
  const point = (minutes: number, value: number, region: string): Point => ({ ts: new Date(hour + minutes * 60_000), value: value.toFixed(4), dims: { region } })
  await insertBatch(ctx.admin, org.id, metricId, [point(5, 2, 'eu'), point(10, 3, 'us'), point(70, 4, 'eu')])
  const created = await call('POST', '/dashboards', who, { name: 'Shared orders', description: 'Orders by region' })
  expect(created.statusCode, created.body).toBe(201)
  const id = created.json().id as string
  const widgets = [
    // Added out of grid order: keys follow the grid (y, then x), not creation.
    { type: 'stat_card', title: 'Total', position: { x: 8, y: 0, w: 4, h: 2 }, config: { unit: 'orders', decimals: 1, target: 10, secret: 's3cr3t-value', metricId }, dataQuery: { source: 'metric', metricId, aggregation: 'sum' } },
    { type: 'line_chart', title: 'Orders', position: { x: 0, y: 0, w: 8, h: 4 }, config: { showLegend: true, colors: ['#112233'], apiKey: 'k3y-value' }, dataQuery: { source: 'metric', metricId, bucket: '1h', groupBy: 'region' } },
    { type: 'text', title: 'Notes', position: { x: 0, y: 4, w: 6, h: 2 }, config: { markdown: 'Read **me**', url: 'https://example.com/not-for-text' } },
    { type: 'image', title: 'Logo', position: { x: 6, y: 4, w: 6, h: 2 }, config: { url: 'https://example.com/logo.png', alt: 'Logo', markdown: 'not for images' } },
  ]
  const widgetIds: string[] = []
  for (const widget of widgets) {
    const response = await call('POST', `/dashboards/${id}/widgets`, who, widget)
    expect(response.statusCode, response.body).toBe(201)
    widgetIds.push(response.json().id)
  }
  return { id, metricId, widgetIds }
}

export const sum = (points: { value: number | null }[]) => points.reduce((total, p) => total + (p.value ?? 0), 0)
