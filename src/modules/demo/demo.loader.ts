import { randomBytes } from 'node:crypto'
import { withContext, withTenant, type RequestContext, type Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { createDashboard, updateDashboard, type ViewContext } from '../dashboards/dashboards.service.ts'
import { createWidget } from '../dashboards/widgets.service.ts'
import { ingestBatch } from '../ingest/ingest.service.ts'
import { createKpi } from '../metrics/kpis.service.ts'
import { createMetric } from '../metrics/metrics.service.ts'
import { pushPoints } from '../metrics/points.service.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { createOrganization, deleteOrganization } from '../organizations/organizations.service.ts'
import { createPipeline, type PipelineDeps } from '../pipelines/pipelines.service.ts'
import { demoDashboards, type DemoIds } from './demo.dashboards.ts'
import { ORDER_KPIS, ORDER_METRICS, ORDERS_PIPELINE } from './demo.orders.ts'
import { STORAGE_METRIC, THROUGHPUT_PIPELINES, type DemoPipeline } from './demo.pipelines.ts'
import { PRODUCT_KPIS, PRODUCT_METRICS, productPoints } from './demo.product.ts'
import { DAY_MS, HOUR_MS } from './demo.random.ts'
import type { DemoMetric, DemoPoint, DemoWindow } from './demo.types.ts'
import { WORKFLOW_METRICS, workflowPoints } from './demo.workflows.ts'

/**
 * Loads the demo organization: "Acme Demo", owned by the user, with four data sets pushed
 * through Tessera's own write paths (pushPoints, which the points API runs; ingestBatch,
 * which POST /ingest/{pipelineId} runs) and a dashboard per data set made by the dashboards
 * and widgets services. The data is generated and written one day at a time, each day's
 * points and records in transactions of their own, so memory stays bounded whatever --scale
 * asks for; if anything fails, the half-loaded organization is deleted again.
 */

export const DEMO_ORG_NAME = 'Acme Demo'
const DEMO_SLUG = 'acme-demo'
/** What one ingest or points call takes at most (the API's default ingest.max_batch_records). */
const BATCH = 10_000

export interface DemoOptions {
  /** Days of data ending now (1–365). */
  days: number
  /** Multiplies the volume: `scale` samples an hour, workflows running `scale` times as often, `scale` times the records. */
  scale: number
  seed?: string
  /** The end of the data (default: now). */
  now?: Date
  /** Transactions writing at the same time (default 1). */
  concurrency?: number
  /** Stops the load between two transactions (the CLI on Ctrl+C); the organization is then deleted. */
  signal?: AbortSignal
  /** Called after each day's records with what has been written so far. */
  onProgress?: (progress: DemoProgress) => void
}

export interface DemoCounts {
  metricPoints: number
  pipelineRecords: number
}

export interface DemoProgress extends DemoCounts {
  day: number
  days: number
}

export interface DemoResult {
  organizationId: string
  organizationSlug: string
  dashboards: Array<{ id: string; name: string }>
  counts: DemoCounts
  durationMs: number
}

export const DEFAULT_SEED = 'acme'

/**
 * Creates the organization with the first free slug: acme-demo, acme-demo-2, … (slugs are
 * unique across the instance, deleted organizations included, and other tenants' slugs are
 * invisible, so the only way to know is to try). Each try is its own transaction: a unique
 * violation aborts the transaction it happens in.
 */
async function createDemoOrganization(services: Services, context: RequestContext & { userId: string }): Promise<{ id: string; slug: string }> {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const slug = attempt === 1 ? DEMO_SLUG : attempt <= 10 ? `${DEMO_SLUG}-${attempt}` : `${DEMO_SLUG}-${randomBytes(3).toString('hex')}`
    try {
      const org = await withContext(services.db, context, (trx) => createOrganization(trx, { name: DEMO_ORG_NAME, slug, description: 'Generated demo data: product metrics, pipelines, workflow runs and service orders.' }))
      return { id: org.id, slug: org.slug }
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'slug_taken')) throw error
    }
  }
  throw new AppError('conflict', 409, 'No free slug was found for the demo organization; delete an older demo organization and try again')
}

interface Sources {
  pipelines: Map<string, string>
  metrics: Map<string, string>
  kpis: Map<string, { id: string; target: number }>
}

async function createSources(trx: Trx, deps: PipelineDeps, actor: OrgActor): Promise<Sources> {
  const pipelines = new Map<string, string>()
  for (const p of [...THROUGHPUT_PIPELINES, ORDERS_PIPELINE]) {
    const created = await createPipeline(trx, deps, actor, { name: p.name, description: p.description, type: 'realtime', mapping: p.mapping })
    pipelines.set(p.key, created.id)
  }
  const metrics = new Map<string, string>()
  const definitions: DemoMetric[] = [...PRODUCT_METRICS, ...WORKFLOW_METRICS, STORAGE_METRIC, ...ORDER_METRICS(pipelines.get('orders')!)]
  for (const m of definitions) {
    metrics.set(m.name, (await createMetric(trx, actor, m)).id)
  }
  const kpis = new Map<string, { id: string; target: number }>()
  for (const { metric, ...kpi } of [...PRODUCT_KPIS, ...ORDER_KPIS]) {
    const created = await createKpi(trx, actor, { ...kpi, metricId: metrics.get(metric)! })
    kpis.set(created.name, { id: created.id, target: created.targetValue ?? 0 })
  }
  return { pipelines, metrics, kpis }
}

/** Writes one window of points through the push API's function; a refused point is a bug here. */
async function pushAll(trx: Trx, orgId: string, metrics: Map<string, string>, points: DemoPoint[]): Promise<number> {
  let accepted = 0
  for (let i = 0; i < points.length; i += BATCH) {
    const records = points.slice(i, i + BATCH).map((p) => ({ metric: metrics.get(p.metric), timestamp: p.timestamp, value: p.value, dimensions: p.dimensions }))
    const { body } = await pushPoints(trx, orgId, { metricId: undefined, records, bodyHash: '', idempotencyKey: undefined, atomic: true })
    accepted += body.accepted
  }
  return accepted
}

async function ingestAll(trx: Trx, orgId: string, pipelineId: string, records: unknown[]): Promise<number> {
  let accepted = 0
  for (let i = 0; i < records.length; i += BATCH) {
    const result = await ingestBatch(trx, orgId, {
      pipelineId,
      records: records.slice(i, i + BATCH),
      arrayText: undefined,
      bodyHash: '',
      idempotencyKey: undefined,
      atomic: true,
      source: { via: 'demo' },
    })
    accepted += result.body.accepted
  }
  return accepted
}

/** Bytes each pipeline received in each hour (hour start → pipeline key → bytes): the storage metric's input. */
type HourlyBytes = Map<number, Map<string, number>>

const ALL_PIPELINES: DemoPipeline[] = [...THROUGHPUT_PIPELINES, ORDERS_PIPELINE]

/** The product and workflow points whose time is in [from, to). */
async function loadPoints(trx: Trx, actor: OrgActor, sources: Sources, w: DemoWindow, from: number, to: number): Promise<DemoCounts> {
  const product = await pushAll(trx, actor.orgId, sources.metrics, productPoints(w, from, to))
  const workflows = await pushAll(trx, actor.orgId, sources.metrics, workflowPoints(w, from, to))
  return { metricPoints: product + workflows, pipelineRecords: 0 }
}

/**
 * Every pipeline's records for the hours starting in [from, to) (the first chunk also takes
 * the hour the window starts in, whose records before the start are left out).
 */
async function loadRecords(trx: Trx, actor: OrgActor, sources: Sources, w: DemoWindow, from: number, to: number, bytes: HourlyBytes): Promise<DemoCounts> {
  const counts: DemoCounts = { metricPoints: 0, pipelineRecords: 0 }
  const firstHour = from === w.start ? Math.floor(from / HOUR_MS) * HOUR_MS : from
  for (const p of ALL_PIPELINES) {
    const batch: unknown[] = []
    for (let hour = firstHour; hour < to; hour += HOUR_MS) {
      const records = p.records(w, hour)
      batch.push(...records)
      const perPipeline = bytes.get(hour) ?? new Map<string, number>()
      perPipeline.set(p.key, records.reduce((sum, r) => sum + JSON.stringify(r).length, 0))
      bytes.set(hour, perPipeline)
    }
    const accepted = await ingestAll(trx, actor.orgId, sources.pipelines.get(p.key)!, batch)
    counts.pipelineRecords += accepted
    // Each stored order is a point of the orders.revenue pipeline metric, written by ingest.
    if (p === ORDERS_PIPELINE) counts.metricPoints += accepted
  }
  return counts
}

/** The storage metric: each throughput pipeline's running total of bytes, sampled at every hour of the window. */
async function loadStorage(trx: Trx, actor: OrgActor, sources: Sources, w: DemoWindow, bytes: HourlyBytes): Promise<DemoCounts> {
  const totals = new Map<string, number>()
  const samples: DemoPoint[] = []
  for (const hour of [...bytes.keys()].sort((a, b) => a - b)) {
    for (const p of THROUGHPUT_PIPELINES) {
      const total = (totals.get(p.key) ?? 0) + (bytes.get(hour)?.get(p.key) ?? 0)
      totals.set(p.key, total)
      samples.push({ metric: STORAGE_METRIC.name, timestamp: Math.max(hour, w.start), value: total, dimensions: { pipeline: p.name } })
    }
  }
  return { metricPoints: await pushAll(trx, actor.orgId, sources.metrics, samples), pipelineRecords: 0 }
}

/**
 * Runs the units `concurrency` at a time, each in its own transaction. Points and records of
 * a day are separate units: record batches take the organization's row lock (storage
 * accounting) until they commit, so record units queue behind each other while point units
 * run beside them. The first failure stops new units; it is thrown once the running ones end.
 */
async function runUnits(units: Array<() => Promise<void>>, concurrency: number, signal: AbortSignal | undefined): Promise<void> {
  let next = 0
  let failure: unknown
  const worker = async () => {
    while (failure === undefined && next < units.length) {
      if (signal?.aborted) {
        failure = new Error('the demo load was interrupted; the partly loaded organization is deleted')
        break
      }
      const unit = units[next++]!
      try {
        await unit()
      } catch (error) {
        failure ??= error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, units.length) }, worker))
  if (failure !== undefined) throw failure
}

async function createDashboards(trx: Trx, actor: OrgActor, ids: DemoIds): Promise<Array<{ id: string; name: string }>> {
  const view: ViewContext = { sessionId: null, ip: null, userAgent: 'tessera demo' }
  const created: Array<{ id: string; name: string }> = []
  for (const spec of demoDashboards(ids)) {
    const dashboard = await createDashboard(trx, actor, { name: spec.name, description: spec.description, tags: spec.tags })
    await updateDashboard(trx, actor, dashboard.id, { refreshInterval: spec.refreshInterval }, view)
    for (const widget of spec.widgets) {
      await createWidget(trx, actor, dashboard.id, widget, view)
    }
    created.push({ id: dashboard.id, name: dashboard.name })
  }
  return created
}

/** The chunk bounds: the window start, then every UTC midnight inside it, then the end. */
export function chunkBounds(start: number, end: number): number[] {
  const bounds = [start]
  for (let t = Math.floor(start / DAY_MS) * DAY_MS + DAY_MS; t < end; t += DAY_MS) bounds.push(t)
  bounds.push(end)
  return bounds
}

/**
 * Loads the demo for `userId` (who becomes the owner of the new organization). `context`
 * carries the request's metadata for the audit log (the CLI passes none).
 */
export async function loadDemo(services: Services, userId: string, context: RequestContext, options: DemoOptions): Promise<DemoResult> {
  const started = performance.now()
  const end = (options.now ?? new Date()).getTime()
  const w: DemoWindow = { start: end - options.days * DAY_MS, end, scale: options.scale, seed: options.seed ?? DEFAULT_SEED }
  const org = await createDemoOrganization(services, { ...context, userId })
  const actor: OrgActor = { userId, orgId: org.id, role: 'owner' }
  const tenant = { ...context, userId, orgId: org.id }
  const deps: PipelineDeps = { box: services.box, publicUrl: services.config.publicUrl }
  try {
    const sources = await withTenant(services.db, tenant, (trx) => createSources(trx, deps, actor))
    const counts: DemoCounts = { metricPoints: 0, pipelineRecords: 0 }
    const bytes: HourlyBytes = new Map()
    const bounds = chunkBounds(w.start, w.end)
    const days = bounds.length - 1
    let done = 0
    const add = (part: DemoCounts) => {
      counts.metricPoints += part.metricPoints
      counts.pipelineRecords += part.pipelineRecords
    }
    const units = bounds.slice(0, -1).flatMap((from, i) => {
      const to = bounds[i + 1]!
      return [
        async () => add(await withTenant(services.db, tenant, (trx) => loadPoints(trx, actor, sources, w, from, to))),
        async () => {
          add(await withTenant(services.db, tenant, (trx) => loadRecords(trx, actor, sources, w, from, to, bytes)))
          options.onProgress?.({ ...counts, day: ++done, days })
        },
      ]
    })
    await runUnits(units, options.concurrency ?? 1, options.signal)
    add(await withTenant(services.db, tenant, (trx) => loadStorage(trx, actor, sources, w, bytes)))
    const dashboards = await withTenant(services.db, tenant, (trx) => createDashboards(trx, actor, sources))
    return { organizationId: org.id, organizationSlug: org.slug, dashboards, counts, durationMs: Math.round(performance.now() - started) }
  } catch (error) {
    // Best effort: a half-loaded demo should not stay behind in the user's organization list.
    await withTenant(services.db, tenant, (trx) => deleteOrganization(trx, actor)).catch(() => undefined)
    throw error
  }
}
