import type { Services } from '../../platform/services.ts'
import type { LiveHub } from '../live/live.hub.ts'
import { sharedLiveHub } from '../live/shared-hub.ts'
import type { DashboardData } from './widgets.schema.ts'

/** An answer about "now" goes stale as the window slides, even without new data. */
export const NOW_MAX_AGE_MS = 5_000
/** Anything else is kept until ingest says otherwise, but never longer than this. */
export const MAX_AGE_MS = 60_000
const MAX_ENTRIES = 1_000

interface Entry {
  expiresAt: number
  readonly answer: Promise<DashboardData>
  json?: Promise<Buffer>
}

/**
 * Dashboard data computed once for every viewer of the same view (issue 5): identical requests
 * share one computation while it runs and its answer afterwards. Freshness is driven by ingest,
 * not by a TTL alone: each organization's entries are keyed by a generation that moves whenever
 * LISTEN/NOTIFY reports a committed batch of that organization (the live hub), so a viewer never
 * gets data older than the last acknowledged point. When the hub is not listening, nothing is
 * cached (a missed notification could not be noticed); after a reconnect the hub's epoch changes
 * and older entries are no longer reachable.
 *
 * The caller checks the viewer's access before asking; the key must name everything the answer
 * depends on (dashboard version, range, time zone, filters).
 */
export class DashboardDataCache {
  private readonly entries = new Map<string, Entry>()
  private readonly generations = new Map<string, number>()
  private readonly subscribing = new Map<string, Promise<void>>()

  constructor(
    private readonly hub: LiveHub,
    private readonly now: () => number = Date.now,
  ) {}

  async answer(orgId: string, key: string, aboutNow: boolean, compute: () => Promise<DashboardData>): Promise<DashboardData> {
    const entry = await this.entry(orgId, key, aboutNow, compute)
    return entry ? entry.answer : compute()
  }

  /**
   * The answer as the bytes of the JSON response: serialized and UTF-8 encoded once per entry,
   * since turning thousands of points into JSON (and a 40 KB string into bytes) on every request
   * costs more than everything else a warm request does.
   */
  async answerJson(orgId: string, key: string, aboutNow: boolean, compute: () => Promise<DashboardData>): Promise<Buffer> {
    const entry = await this.entry(orgId, key, aboutNow, compute)
    if (!entry) return Buffer.from(JSON.stringify(await compute()))
    entry.json ??= entry.answer.then((data) => Buffer.from(JSON.stringify(data)))
    return entry.json
  }

  /** The entry for a view, computing it when missing or expired; none while LISTEN is down. */
  private async entry(orgId: string, key: string, aboutNow: boolean, compute: () => Promise<DashboardData>): Promise<Entry | undefined> {
    const listening = await this.follow(orgId)
    if (!listening) return undefined
    const fullKey = `${orgId}|${this.hub.listeningEpoch}|${this.generations.get(orgId) ?? 0}|${key}`
    const cached = this.entries.get(fullKey)
    if (cached && cached.expiresAt > this.now()) return cached
    const answer = compute()
    const entry: Entry = { expiresAt: this.now() + (aboutNow ? NOW_MAX_AGE_MS : MAX_AGE_MS), answer }
    this.remember(fullKey, entry)
    answer.then(
      (data) => {
        // Saved-query tables come from outside databases no notification speaks for; their own
        // result cache (cache_duration) decides how fresh they are, so they are shared briefly.
        if (data.widgets.some((widget) => 'table' in widget)) entry.expiresAt = Math.min(entry.expiresAt, this.now() + NOW_MAX_AGE_MS)
      },
      // A failed computation is not an answer to share.
      () => {
        if (this.entries.get(fullKey) === entry) this.entries.delete(fullKey)
      },
    )
    return entry
  }

  /** Subscribes to the organization's data changes once; false when LISTEN is unavailable. */
  private async follow(orgId: string): Promise<boolean> {
    if (!this.generations.has(orgId)) {
      let subscribing = this.subscribing.get(orgId)
      if (!subscribing) {
        subscribing = this.hub
          .subscribe(orgId, () => this.generations.set(orgId, (this.generations.get(orgId) ?? 0) + 1))
          .then(() => {
            this.generations.set(orgId, this.generations.get(orgId) ?? 0)
          })
          .finally(() => this.subscribing.delete(orgId))
        this.subscribing.set(orgId, subscribing)
      }
      const subscribed = await subscribing.then(() => true, () => false)
      if (!subscribed) return false
    }
    return this.hub.listeningEpoch !== undefined
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key)
    this.entries.set(key, entry)
    // Oldest first: Map keeps insertion order and a refreshed key was re-inserted above.
    for (const oldKey of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break
      this.entries.delete(oldKey)
    }
  }
}

const caches = new WeakMap<Services, DashboardDataCache>()

/** The process's one cache for a set of services: members' views and public or embedded views share it. */
export function sharedDashboardDataCache(services: Services): DashboardDataCache {
  let cache = caches.get(services)
  if (!cache) {
    cache = new DashboardDataCache(sharedLiveHub(services))
    caches.set(services, cache)
  }
  return cache
}
