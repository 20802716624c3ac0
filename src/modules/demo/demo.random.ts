/**
 * Deterministic randomness and the shapes of the demo data: the same seed, data set and time
 * give the same numbers on every machine, so tests can rely on the data's story. Every value
 * is drawn from a generator seeded by (seed, data set, tick), never from a shared stream, so a
 * day generated on its own equals the same day generated within a month.
 */

export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS

/** FNV-1a over the text: a 32-bit seed for mulberry32. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Standard normal (Box-Muller). */
  normal(): number
  /** A Poisson count with mean lambda (normal approximation for large means). */
  poisson(lambda: number): number
  /** One of the keys, with probability proportional to its weight. */
  pick<T extends string>(weights: Readonly<Record<T, number>>): T
  /** Multiplicative noise around 1 with the given relative spread, never below 0.05. */
  noise(spread: number): number
}

export function random(...parts: Array<string | number>): Random {
  let state = hash(parts.join('|'))
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
  return {
    next,
    normal,
    poisson(lambda) {
      if (lambda <= 0) return 0
      if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()))
      const limit = Math.exp(-lambda)
      let k = 0
      let p = next()
      while (p > limit) {
        k++
        p *= next()
      }
      return k
    },
    pick(weights) {
      const entries = Object.entries(weights) as Array<[keyof typeof weights & string, number]>
      const total = entries.reduce((sum, [, w]) => sum + w, 0)
      let r = next() * total
      for (const [key, weight] of entries) {
        r -= weight
        if (r < 0) return key
      }
      return entries[entries.length - 1]![0]
    },
    noise(spread) {
      return Math.max(0.05, 1 + spread * normal())
    },
  }
}

/**
 * Activity over the day at a UTC offset (hours): low at night, a morning ramp, a peak in the
 * afternoon, an evening tail; between 0.15 and about 1.6, averaging about 1.
 */
export function dailyCurve(t: number, utcOffsetHours = 0): number {
  const hour = (((t / HOUR_MS + utcOffsetHours) % 24) + 24) % 24
  const day = Math.exp(-((hour - 14.5) ** 2) / (2 * 3.8 ** 2))
  const evening = 0.45 * Math.exp(-((hour - 20.5) ** 2) / (2 * 1.6 ** 2))
  return 0.15 + 1.35 * day + evening
}

/** Weekday (in the offset's local time) 0 = Sunday … 6 = Saturday. */
export function weekday(t: number, utcOffsetHours = 0): number {
  return new Date(t + utcOffsetHours * HOUR_MS).getUTCDay()
}

/** Weekends at `weekend` (e.g. 0.6 for business traffic, 1.2 for consumer apps), weekdays at 1. */
export function weeklyFactor(t: number, weekend: number, utcOffsetHours = 0): number {
  const day = weekday(t, utcOffsetHours)
  return day === 0 || day === 6 ? weekend : 1
}

/** Compound growth: `monthly` (e.g. 0.2 for +20% a month) over the time since `start`. */
export function growth(t: number, start: number, monthly: number): number {
  return (1 + monthly) ** ((t - start) / (30 * DAY_MS))
}

/** A window of the story, in hours relative to the end of the data. */
export interface Incident {
  name: string
  from: number
  to: number
}

/**
 * The two incidents every demo tells: a CDN degradation nine days before the end (slow pages
 * on the web, fewer conversions, a stalled sensor gateway) and a payment-provider outage three
 * days before the end (revenue and order completion drop, imports fail).
 */
export function incidents(end: number): { cdn: Incident; payments: Incident } {
  const at = (daysBack: number, hour: number) => Math.floor((end - daysBack * DAY_MS) / DAY_MS) * DAY_MS + hour * HOUR_MS
  return {
    cdn: { name: 'CDN degradation', from: at(9, 13), to: at(9, 17) },
    payments: { name: 'Payment provider outage', from: at(3, 10), to: at(3, 12.5) },
  }
}

export const within = (t: number, incident: Incident) => t >= incident.from && t < incident.to

/** Ticks of `stepMs` aligned to the epoch inside [from, to). */
export function* ticks(from: number, to: number, stepMs: number): Generator<number> {
  for (let t = Math.ceil(from / stepMs) * stepMs; t < to; t += stepMs) {
    yield t
  }
}

export const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals
