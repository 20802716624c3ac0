import { dailyCurve, DAY_MS, growth, HOUR_MS, incidents, random, round, weeklyFactor, within } from './demo.random.ts'
import type { DemoPipeline } from './demo.pipelines.ts'
import type { DemoKpi, DemoMetric } from './demo.types.ts'

/**
 * Service orders (shaped like seed 003's service_orders): orders from four sales channels
 * into five stores, each completed, pending, cancelled or refunded, pushed to a pipeline. A
 * 'pipeline' metric turns every stored order into a revenue point (by channel, store and
 * status) inside the ingest transaction, so the KPI and its stat card read the same orders.
 * A web promotion sixteen days before the end doubles web orders for a day; the payment
 * outage leaves web and marketplace orders pending or cancelled.
 */

const CHANNELS = {
  web: { weight: 45, weekend: 1.1, amount: 64 },
  store: { weight: 30, weekend: 1.4, amount: 85 },
  phone: { weight: 10, weekend: 0.5, amount: 120 },
  marketplace: { weight: 15, weekend: 1.2, amount: 45 },
} as const
type Channel = keyof typeof CHANNELS

const STORES = { 'Berlin Mitte': 28, 'Hamburg Altona': 22, 'Munich Center': 24, 'Cologne Dom': 14, 'Frankfurt Zeil': 12 } as const
const SERVICES = { DELIVERY: 55, INSTALLATION: 25, REPAIR: 12, QUOTATION: 8 } as const

const field = (name: string, type: 'string' | 'number' | 'integer' | 'timestamp', required = false) => ({ path: `$.${name}`, field: name, type, ...(required && { required }) })

export const ORDERS_PIPELINE: DemoPipeline = {
  key: 'orders',
  name: 'Service orders',
  description: 'Orders from the web shop, stores, phone and marketplaces (demo data, shaped like seed 003 service orders).',
  mapping: {
    mappings: [
      field('order_id', 'string', true),
      field('order_date', 'timestamp', true),
      field('channel', 'string', true),
      field('store', 'string', true),
      field('status', 'string', true),
      field('service_type', 'string'),
      field('amount', 'number', true),
      field('items', 'integer'),
      field('country', 'string'),
    ],
    transformations: [],
    timestampField: 'order_date',
  },
  records(w, hour) {
    const rng = random(w.seed, 'orders', hour)
    const { payments } = incidents(w.end)
    const promotion = Math.floor((w.end - 16 * DAY_MS) / DAY_MS) * DAY_MS
    const base = 15 * w.scale * growth(hour, w.start, 0.08) * dailyCurve(hour, 1) * rng.noise(0.1)
    const orders: Array<Record<string, string | number>> = []
    let n = 0
    for (const [channel, c] of Object.entries(CHANNELS) as Array<[Channel, (typeof CHANNELS)[Channel]]>) {
      const promo = channel === 'web' && hour >= promotion && hour < promotion + DAY_MS ? 2.2 : 1
      const count = rng.poisson(base * (c.weight / 100) * weeklyFactor(hour, c.weekend, 1) * promo)
      for (let i = 0; i < count; i++) {
        const t = hour + Math.floor(rng.next() * HOUR_MS)
        if (t < w.start || t >= w.end) continue
        const amount = round(Math.exp(Math.log(c.amount) + 0.5 * rng.normal()) * (promo > 1 ? 0.85 : 1), 2)
        const recent = w.end - t < 2 * DAY_MS
        const outage = within(t, payments) && (channel === 'web' || channel === 'marketplace')
        const status = outage
          ? rng.pick({ pending: 45, cancelled: 40, completed: 15 })
          : rng.pick({ completed: recent ? 62 : 86, pending: recent ? 28 : 1, cancelled: 8, refunded: 4 })
        orders.push({
          order_id: `SO-${(t / 1000).toFixed(0)}-${n++}`,
          order_date: new Date(t).toISOString(),
          channel,
          store: rng.pick(STORES),
          status,
          service_type: rng.pick(SERVICES),
          amount,
          items: 1 + rng.poisson(amount / 45),
          country: 'DE',
        })
      }
    }
    return orders
  },
}

export const ORDER_METRICS = (pipelineId: string): DemoMetric[] => [
  {
    name: 'orders.revenue',
    displayName: 'Order revenue',
    unit: 'currency',
    aggregationType: 'sum',
    source: 'pipeline',
    pipelineId,
    valuePath: '$.amount',
    dimensionPaths: { channel: '$.channel', store: '$.store', status: '$.status' },
    tags: ['demo', 'orders'],
    description: 'Order value in EUR from the Service orders pipeline, by channel, store and status.',
    thresholds: { warning: 18000, critical: 12000, direction: 'below' },
  },
]

export const ORDER_KPIS: DemoKpi[] = [
  { metric: 'orders.revenue', name: 'Daily order revenue', description: 'At least €24,000 of orders a day.', targetType: 'minimum', targetValue: 24000, timePeriod: 'daily' },
]
