import type { MappingSpecBody } from '../pipelines/pipelines.schema.ts'
import { dailyCurve, DAY_MS, growth, HOUR_MS, incidents, random, round, weeklyFactor, within, type Random } from './demo.random.ts'
import type { DemoMetric, DemoWindow } from './demo.types.ts'

/**
 * Pipeline throughput and storage (seed 001): three realtime pipelines receiving records
 * through the ingest path, each record stamped with the time it happened (the mapping's
 * timestampField, which becomes record_time, the time pipeline series bucket by). Web events
 * grow and burst errors in the CDN incident; the IoT gateway of one site goes dark for six
 * hours twelve days before the end and then uploads its backlog; the CRM syncs in office
 * hours. Storage is a metric sampled every hour: the bytes each pipeline has taken so far.
 */

export type DemoRecord = Record<string, string | number>

export interface DemoPipeline {
  key: string
  name: string
  description: string
  mapping: MappingSpecBody
  /** The records whose time falls in the hour starting at `hour` (and inside the window). */
  records(w: DemoWindow, hour: number): DemoRecord[]
}

export const STORAGE_METRIC: DemoMetric = {
  name: 'pipeline.storage_bytes',
  displayName: 'Pipeline storage',
  unit: 'bytes',
  aggregationType: 'max',
  tags: ['demo', 'pipelines'],
  description: 'Bytes of records each pipeline has stored, sampled every hour.',
}

const field = (name: string, type: 'string' | 'number' | 'integer' | 'timestamp', required = false) => ({ path: `$.${name}`, field: name, type, ...(required && { required }) })

/** Spreads `count` record times over the hour, keeping those inside the window. */
function timesIn(w: DemoWindow, hour: number, count: number, rng: Random): number[] {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const t = hour + Math.floor(rng.next() * HOUR_MS)
    if (t >= w.start && t < w.end) times.push(t)
  }
  return times.sort((a, b) => a - b)
}

const iso = (t: number) => new Date(t).toISOString()

const WEB_EVENTS: DemoPipeline = {
  key: 'web',
  name: 'Web events',
  description: 'Clickstream from the web and mobile apps (demo data).',
  mapping: {
    mappings: [field('event', 'string', true), field('platform', 'string'), field('country', 'string'), field('session_id', 'string'), field('duration_ms', 'integer'), field('bytes', 'integer'), field('ts', 'timestamp', true)],
    transformations: [],
    timestampField: 'ts',
  },
  records(w, hour) {
    const rng = random(w.seed, 'web-events', hour)
    const { cdn } = incidents(w.end)
    const rate = 22 * w.scale * growth(hour, w.start, 0.3) * dailyCurve(hour, -1) * weeklyFactor(hour, 0.8) * rng.noise(0.1)
    return timesIn(w, hour, rng.poisson(rate), rng).map((t) => {
      const event = within(t, cdn) && rng.next() < 0.35 ? 'error' : rng.pick({ page_view: 70, click: 20, signup: 3, purchase: 2, error: 5 })
      return {
        event,
        platform: rng.pick({ web: 55, ios: 25, android: 20 }),
        country: rng.pick({ US: 35, DE: 15, GB: 12, FR: 8, BR: 10, IN: 12, JP: 8 }),
        session_id: `s-${Math.floor(rng.next() * 0xffffff).toString(16).padStart(6, '0')}`,
        duration_ms: Math.round(250 + 900 * rng.noise(0.6) * (within(t, cdn) ? 3 : 1)),
        bytes: Math.round(600 + 400 * rng.next()),
        ts: iso(t),
      }
    })
  },
}

const SITES = { Hamburg: 40, Rotterdam: 35, Antwerp: 25 } as const

const IOT_SENSORS: DemoPipeline = {
  key: 'iot',
  name: 'IoT sensors',
  description: 'Temperature and humidity readings from warehouse sensors (demo data).',
  mapping: {
    mappings: [field('device_id', 'string', true), field('site', 'string', true), field('temperature', 'number'), field('humidity', 'number'), field('battery', 'number'), field('bytes', 'integer'), field('ts', 'timestamp', true)],
    transformations: [],
    timestampField: 'ts',
  },
  records(w, hour) {
    const rng = random(w.seed, 'iot', hour)
    // Rotterdam's gateway is down from 02:00 to 08:00 twelve days before the end and uploads
    // the six hours it kept in the hour after (stamped at their own times, so only the
    // ingestion shows the burst; the readings fill the gap).
    const outageStart = Math.floor((w.end - 12 * DAY_MS) / DAY_MS) * DAY_MS + 2 * HOUR_MS
    const dark = hour >= outageStart && hour < outageStart + 6 * HOUR_MS
    const records: DemoRecord[] = []
    for (const [site, share] of Object.entries(SITES)) {
      if (dark && site === 'Rotterdam') continue
      const count = rng.poisson(0.25 * share * w.scale)
      const offset = site === 'Hamburg' ? 0 : 0.6
      for (const t of timesIn(w, hour, count, rng)) {
        const device = Math.floor(rng.next() * 12) + 1
        const warmth = 4 * Math.sin(((t / HOUR_MS + 9) / 24) * 2 * Math.PI)
        records.push({
          device_id: `${site.slice(0, 3).toLowerCase()}-${String(device).padStart(2, '0')}`,
          site,
          temperature: round(7 + offset + warmth + 0.6 * rng.normal(), 2),
          humidity: round(62 + 8 * rng.normal() - warmth, 1),
          battery: round(Math.max(5, 100 - ((t - w.start) / DAY_MS) * 1.1 - device * 2 + rng.normal()), 1),
          bytes: 180 + Math.floor(rng.next() * 60),
          ts: iso(t),
        })
      }
    }
    return records
  },
}

const CRM_SYNC: DemoPipeline = {
  key: 'crm',
  name: 'CRM sync',
  description: 'Contacts, deals and companies changed in the CRM (demo data).',
  mapping: {
    mappings: [field('object', 'string', true), field('action', 'string', true), field('owner', 'string'), field('bytes', 'integer'), field('ts', 'timestamp', true)],
    transformations: [],
    timestampField: 'ts',
  },
  records(w, hour) {
    const rng = random(w.seed, 'crm', hour)
    const office = dailyCurve(hour, 1) ** 2 * weeklyFactor(hour, 0.15, 1)
    return timesIn(w, hour, rng.poisson(7 * w.scale * office * growth(hour, w.start, 0.05)), rng).map((t) => ({
      object: rng.pick({ contact: 60, deal: 25, company: 15 }),
      action: rng.pick({ updated: 70, created: 25, deleted: 5 }),
      owner: rng.pick({ 'Ana Ruiz': 30, 'Ben Okafor': 25, 'Chen Wei': 25, 'Dana Levi': 20 }),
      bytes: Math.round(1500 + 2500 * rng.next()),
      ts: iso(t),
    }))
  },
}

export const THROUGHPUT_PIPELINES: DemoPipeline[] = [WEB_EVENTS, IOT_SENSORS, CRM_SYNC]
