import { describe, expect, it } from 'vitest'
import { layoutRows } from './demo.dashboards.ts'
import { chunkBounds } from './demo.loader.ts'
import { ORDERS_PIPELINE } from './demo.orders.ts'
import { THROUGHPUT_PIPELINES } from './demo.pipelines.ts'
import { productPoints } from './demo.product.ts'
import { DAY_MS, HOUR_MS, incidents } from './demo.random.ts'
import type { DemoPoint, DemoWindow } from './demo.types.ts'
import { workflowPoints } from './demo.workflows.ts'

// A fixed end keeps the story's dates stable: incidents are placed relative to it.
const END = Date.UTC(2026, 5, 15, 16, 20)
const window = (overrides: Partial<DemoWindow> = {}): DemoWindow => ({ start: END - 30 * DAY_MS, end: END, scale: 1, seed: 'acme', ...overrides })

const sum = (points: DemoPoint[]) => points.reduce((total, p) => total + p.value, 0)
const mean = (points: DemoPoint[]) => sum(points) / points.length
const of = (points: DemoPoint[], metric: string, match: Record<string, string> = {}) =>
  points.filter((p) => p.metric === metric && Object.entries(match).every(([k, v]) => p.dimensions[k] === v))

describe('demo generators', () => {
  it('give the same data for the same seed and time, whichever chunks they are asked in', () => {
    const w = window()
    const from = END - 2 * DAY_MS
    const whole = productPoints(w, from, END)
    const halves = [...productPoints(w, from, END - DAY_MS), ...productPoints(w, END - DAY_MS, END)]
    expect(halves).toEqual(whole)
    expect(productPoints(window({ seed: 'other' }), from, END)).not.toEqual(whole)
    const hour = END - 5 * HOUR_MS
    expect(ORDERS_PIPELINE.records(w, hour)).toEqual(ORDERS_PIPELINE.records(w, hour))
  })

  it('keep every point and record inside the window', () => {
    const w = window({ start: END - DAY_MS })
    const points = [...productPoints(w, w.start, w.end), ...workflowPoints(w, w.start, w.end)]
    expect(points.every((p) => p.timestamp >= w.start && p.timestamp < w.end)).toBe(true)
    const firstHour = Math.floor(w.start / HOUR_MS) * HOUR_MS
    for (const pipeline of [...THROUGHPUT_PIPELINES, ORDERS_PIPELINE]) {
      const times = [firstHour, w.end - 30 * 60_000].flatMap((hour) => pipeline.records(w, Math.floor(hour / HOUR_MS) * HOUR_MS))
      const stamps = times.map((r) => Date.parse(String(r.ts ?? r.order_date)))
      expect(stamps.every((t) => t >= w.start && t < w.end), pipeline.name).toBe(true)
    }
  })

  it('tell the story: growth, the CDN incident on European web pages, the payment outage', () => {
    const w = window()
    const firstWeek = productPoints(w, w.start, w.start + 7 * DAY_MS)
    const lastWeek = productPoints(w, END - 7 * DAY_MS, END)
    expect(sum(of(lastWeek, 'product.signups'))).toBeGreaterThan(1.1 * sum(of(firstWeek, 'product.signups')))

    const { cdn, payments } = incidents(END)
    const during = productPoints(w, cdn.from, cdn.to)
    const dayBefore = productPoints(w, cdn.from - DAY_MS, cdn.to - DAY_MS)
    const webDe = { platform: 'web', country: 'DE' }
    expect(mean(of(during, 'product.page_load_time', webDe))).toBeGreaterThan(2.5 * mean(of(dayBefore, 'product.page_load_time', webDe)))
    expect(mean(of(during, 'product.page_load_time', { platform: 'ios', country: 'DE' }))).toBeLessThan(1.3 * mean(of(dayBefore, 'product.page_load_time', { platform: 'ios', country: 'DE' })))

    // Pro plans (enterprise deals are rare and large: one would hide the trend), against the
    // same hours of the week before, on average.
    const pro = (from: number, to: number) => sum(of(productPoints(w, from, to), 'product.revenue', { plan: 'pro' }))
    const usual = [1, 2, 3, 4, 5, 6, 7].reduce((total, d) => total + pro(payments.from - d * DAY_MS, payments.to - d * DAY_MS), 0) / 7
    expect(pro(payments.from, payments.to)).toBeLessThan(0.5 * usual)
    const failedImports = of(workflowPoints(w, payments.from, payments.to), 'workflow.runs', { workflow: 'Orders import', status: 'Failed' })
    expect(failedImports.length).toBeGreaterThanOrEqual(4)
  })

  it('fail the CRM sync every morning, so any day has failed runs to show', () => {
    const w = window()
    for (let day = 0; day < 30; day++) {
      const from = END - (day + 1) * DAY_MS
      expect(of(workflowPoints(w, from, from + DAY_MS), 'workflow.runs', { status: 'Failed' }).length).toBeGreaterThan(0)
    }
  })

  it('multiply the volume with the scale', () => {
    const from = END - DAY_MS
    const gauges = (scale: number) => of(productPoints(window({ scale }), from, END), 'product.page_load_time').length
    expect(gauges(3)).toBe(3 * gauges(1))
    const runs = (scale: number) => of(workflowPoints(window({ scale }), from, END), 'workflow.runs').length
    expect(runs(4)).toBe(4 * runs(1))
    const orders = (scale: number) => ORDERS_PIPELINE.records(window({ scale }), END - 3 * HOUR_MS).length
    expect(orders(20)).toBeGreaterThan(10 * orders(1))
  })

  it('leave the Rotterdam gateway dark for six hours twelve days before the end', () => {
    const w = window()
    const iot = THROUGHPUT_PIPELINES.find((p) => p.key === 'iot')!
    const outage = Math.floor((END - 12 * DAY_MS) / DAY_MS) * DAY_MS + 2 * HOUR_MS
    const sites = (hour: number) => new Set(iot.records(w, hour).map((r) => r.site))
    expect(sites(outage + 3 * HOUR_MS).has('Rotterdam')).toBe(false)
    expect(sites(outage + 3 * HOUR_MS - DAY_MS).has('Rotterdam')).toBe(true)
  })
})

describe(chunkBounds.name, () => {
  it('splits the window at UTC midnights, without gaps', () => {
    const start = Date.UTC(2026, 0, 1, 13, 30)
    const end = start + 2 * DAY_MS
    expect(chunkBounds(start, end)).toEqual([start, Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 3), end])
  })
})

describe(layoutRows.name, () => {
  it('places rows top to bottom and refuses a row that does not fill 12 columns', () => {
    const widget = (w: number) => ({ type: 'text' as const, title: 't', w, config: { markdown: 'x' } })
    expect(layoutRows([{ h: 2, widgets: [widget(4), widget(8)] }, { h: 3, widgets: [widget(12)] }]).map((w) => w.position)).toEqual([
      { x: 0, y: 0, w: 4, h: 2 },
      { x: 4, y: 0, w: 8, h: 2 },
      { x: 0, y: 2, w: 12, h: 3 },
    ])
    expect(() => layoutRows([{ h: 2, widgets: [widget(6)] }])).toThrow('6 columns wide')
  })
})
