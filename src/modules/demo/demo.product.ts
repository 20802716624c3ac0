import { dailyCurve, growth, HOUR_MS, incidents, random, round, ticks, weeklyFactor, within } from './demo.random.ts'
import type { DemoKpi, DemoMetric, DemoPoint, DemoWindow } from './demo.types.ts'

/**
 * Product metrics (seed 000): signups, active users, revenue, conversion rate and page load
 * time by plan, country and platform. Signups and revenue grow about 25% a month with a daily
 * rhythm in each country's time zone and busier mobile weekends; the CDN incident slows web
 * pages in Europe and costs conversions; the payment outage wipes out 90% of revenue for two
 * and a half hours. A deploy two weeks before the end makes pages about 10% faster.
 */

const TAGS = ['demo', 'product']

export const PRODUCT_METRICS: DemoMetric[] = [
  { name: 'product.signups', displayName: 'Signups', unit: 'count', aggregationType: 'sum', tags: TAGS, description: 'New accounts, by plan, country and platform.' },
  { name: 'product.active_users', displayName: 'Active users', unit: 'users', aggregationType: 'avg', tags: TAGS, description: 'Users active at the moment of the sample, by platform.' },
  { name: 'product.revenue', displayName: 'Revenue', unit: 'currency', aggregationType: 'sum', tags: TAGS, description: 'Subscription revenue in USD, by paid plan, country and platform.' },
  {
    name: 'product.conversion_rate',
    displayName: 'Conversion rate',
    unit: 'percentage',
    aggregationType: 'avg',
    tags: TAGS,
    description: 'Visitors who sign up, in percent, by platform and country.',
    thresholds: { warning: 3, critical: 2.5, direction: 'below' },
  },
  {
    name: 'product.page_load_time',
    displayName: 'Page load time',
    unit: 'seconds',
    aggregationType: 'avg',
    tags: TAGS,
    description: 'Time to interactive, by platform and country.',
    thresholds: { warning: 2.5, critical: 4, direction: 'above' },
  },
]

export const PRODUCT_KPIS: DemoKpi[] = [
  { metric: 'product.signups', name: 'Daily signups', description: 'At least 900 new accounts a day.', targetType: 'minimum', targetValue: 900, timePeriod: 'daily' },
  { metric: 'product.revenue', name: 'Daily revenue', description: 'At least $35,000 of subscriptions a day.', targetType: 'minimum', targetValue: 35000, timePeriod: 'daily' },
  { metric: 'product.conversion_rate', name: 'Conversion rate', description: 'Between 3% and 5% of visitors sign up.', targetType: 'range', targetValue: 3, targetMax: 5, timePeriod: 'daily' },
  { metric: 'product.page_load_time', name: 'Page load time', description: 'Pages interactive within 2 seconds on average.', targetType: 'maximum', targetValue: 2, timePeriod: 'daily' },
]

const COUNTRIES = {
  US: { weight: 35, offset: -5, latency: 0 },
  DE: { weight: 15, offset: 1, latency: 0 },
  GB: { weight: 12, offset: 0, latency: 0 },
  FR: { weight: 8, offset: 1, latency: 0.05 },
  BR: { weight: 10, offset: -3, latency: 0.5 },
  IN: { weight: 12, offset: 5.5, latency: 0.6 },
  JP: { weight: 8, offset: 9, latency: 0.35 },
} as const
type Country = keyof typeof COUNTRIES

const PLATFORMS = {
  web: { weight: 55, weekend: 0.85, load: 1.45, conversion: 4.1, users: 0.5 },
  ios: { weight: 25, weekend: 1.2, load: 0.9, conversion: 3.5, users: 0.3 },
  android: { weight: 20, weekend: 1.2, load: 1.1, conversion: 2.9, users: 0.2 },
} as const
type Platform = keyof typeof PLATFORMS

const PLANS = {
  free: { weight: 80, weekend: 1.1, price: 0 },
  pro: { weight: 17, weekend: 0.9, price: 49 },
  enterprise: { weight: 3, weekend: 0.4, price: 1400 },
} as const

const EUROPE = new Set<Country>(['DE', 'GB', 'FR'])
const COUNTRY_TOTAL = Object.values(COUNTRIES).reduce((sum, c) => sum + c.weight, 0)
const PLATFORM_TOTAL = Object.values(PLATFORMS).reduce((sum, p) => sum + p.weight, 0)
const PLAN_TOTAL = Object.values(PLANS).reduce((sum, p) => sum + p.weight, 0)

/** Signups an hour, all segments together, at the start of the window. */
const SIGNUPS_PER_HOUR = 42
/** Paid subscriptions an hour per signup: most revenue comes from upgrades of existing users. */
const PAID_PER_SIGNUP = 0.22
const ACTIVE_USERS = 2600

/** The product points of [from, to): `scale` samples an hour. */
export function productPoints(w: DemoWindow, from: number, to: number): DemoPoint[] {
  const points: DemoPoint[] = []
  const step = HOUR_MS / w.scale
  const perTick = step / HOUR_MS
  const { cdn, payments } = incidents(w.end)
  const deploy = w.end - 14 * 24 * HOUR_MS
  for (const t of ticks(from, to, step)) {
    const rng = random(w.seed, 'product', t)
    const up = growth(t, w.start, 0.25)
    const paymentsDown = within(t, payments)
    const cdnDown = within(t, cdn)
    let usersCurve = 0
    for (const [country, c] of Object.entries(COUNTRIES) as Array<[Country, (typeof COUNTRIES)[Country]]>) {
      const rhythm = dailyCurve(t, c.offset)
      usersCurve += (c.weight / COUNTRY_TOTAL) * rhythm
      for (const [platform, p] of Object.entries(PLATFORMS) as Array<[Platform, (typeof PLATFORMS)[Platform]]>) {
        const slowEurope = cdnDown && platform === 'web' && EUROPE.has(country)
        const segment = (c.weight / COUNTRY_TOTAL) * (p.weight / PLATFORM_TOTAL) * rhythm * weeklyFactor(t, p.weekend, c.offset)
        for (const [plan, pl] of Object.entries(PLANS)) {
          const rate = SIGNUPS_PER_HOUR * up * segment * (pl.weight / PLAN_TOTAL) * weeklyFactor(t, pl.weekend, c.offset) * (slowEurope ? 0.45 : 1) * rng.noise(0.15)
          const dims = { plan, country, platform }
          // Counts are pushed when something happened, as a client would: no point for a zero.
          const signups = rng.poisson(rate * perTick)
          if (signups > 0) points.push({ metric: 'product.signups', timestamp: t, value: signups, dimensions: dims })
          if (pl.price > 0) {
            const paid = rng.poisson(rate * PAID_PER_SIGNUP * (100 / pl.weight) * (plan === 'enterprise' ? 0.05 : 1) * perTick * (paymentsDown ? 0.1 : 1))
            const price = plan === 'enterprise' ? Math.max(600, 1400 + 350 * rng.normal()) : rng.next() < 0.2 ? 490 : 49
            if (paid > 0) points.push({ metric: 'product.revenue', timestamp: t, value: round(paid * price, 2), dimensions: dims })
          }
        }
        const conversion = p.conversion + (c.latency > 0.3 ? -0.4 : 0.1) + 0.3 * ((t - w.start) / (30 * 24 * HOUR_MS)) + 0.25 * rng.normal()
        const hit = (slowEurope ? 1.6 : cdnDown && platform === 'web' ? 0.6 : 0) + (paymentsDown ? 1.7 : 0)
        points.push({ metric: 'product.conversion_rate', timestamp: t, value: round(Math.max(0.2, conversion - hit), 2), dimensions: { platform, country } })
        const faster = t >= deploy ? 0.9 : 1
        const base = (p.load + c.latency + 0.35 * rhythm) * faster * rng.noise(0.08)
        const load = slowEurope ? base * 3.2 : cdnDown && platform === 'web' ? base * 1.5 : base
        points.push({ metric: 'product.page_load_time', timestamp: t, value: round(load, 3), dimensions: { platform, country } })
      }
    }
    for (const [platform, p] of Object.entries(PLATFORMS) as Array<[Platform, (typeof PLATFORMS)[Platform]]>) {
      const users = ACTIVE_USERS * growth(t, w.start, 0.12) * p.users * usersCurve * weeklyFactor(t, p.weekend) * (cdnDown && platform === 'web' ? 0.8 : 1) * rng.noise(0.04)
      points.push({ metric: 'product.active_users', timestamp: t, value: Math.round(users), dimensions: { platform } })
    }
  }
  return points
}
