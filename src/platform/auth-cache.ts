import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import type { Services } from './services.ts'

/** The channel db/migrations/0330_notify_access_changes.sql announces access changes on. */
export const ACCESS_CHANNEL = 'tessera_auth_invalidate'
/** How long a verified answer may be reused: the bound on staleness should a notification be lost. */
export const ACCESS_CACHE_TTL_MS = 5_000
const MAX_ENTRIES = 10_000

interface Entry<V> {
  value: V
  expiresAt: number
  userId: string
  orgId: string | undefined
}

/**
 * Short-lived answers to "who is this token" and "may this user see this" (issue 5: a warm
 * dashboard request should not wait on PostgreSQL for them). Only positive, verified answers
 * are kept, for ACCESS_CACHE_TTL_MS at most, and only while this process LISTENs to
 * ACCESS_CHANNEL: triggers announce every change to sessions, users, API keys, memberships,
 * teams, dashboard permissions and dashboards there, and each notification drops the entries
 * of that user or organization. While LISTEN is down nothing is cached (a lost notification
 * could not be noticed), and a reconnect starts empty.
 *
 * A change made by this process must count on its very next request, before its notification
 * comes back: every state-changing request clears the whole cache when it answers
 * (registerAccessCacheHooks). A lookup that started before a clear does not store its answer
 * (the generation check), so a read racing a revocation cannot put the old answer back.
 */
export class AccessCache {
  private readonly entries = new Map<string, Entry<unknown>>()
  private generation = 0
  private client: pg.Client | undefined
  private connecting: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly connectionOptions: pg.ClientConfig,
    private readonly ttlMs = ACCESS_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether answers are being kept (LISTEN is up); starts listening when not. */
  get active(): boolean {
    if (!this.client) {
      this.listen()
      return false
    }
    return this.ttlMs > 0
  }

  /** How many answers are kept. */
  get size(): number {
    return this.entries.size
  }

  get<V>(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.now() || !this.client) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value as V
  }

  /**
   * The cached answer, else `load()`'s, stored when it is defined and no invalidation happened
   * while it loaded. `owner` says whose answer it is (the user, and the organization when it
   * is about one), for invalidation.
   */
  async through<V>(key: string, load: () => Promise<V | undefined>, owner: (value: V) => { userId: string; orgId?: string }): Promise<V | undefined> {
    if (!this.active) return load()
    const cached = this.get<V>(key)
    if (cached !== undefined) return cached
    const generation = this.generation
    const value = await load()
    if (value !== undefined && generation === this.generation && this.client) {
      const { userId, orgId } = owner(value)
      this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs, userId, orgId })
      if (this.entries.size > MAX_ENTRIES) {
        // Map keeps insertion order: the first key is the oldest entry.
        const oldest = this.entries.keys().next().value
        if (oldest !== undefined) this.entries.delete(oldest)
      }
    }
    return value
  }

  /** Drops everything; lookups in flight do not store their answers. */
  clear(): void {
    this.generation += 1
    this.entries.clear()
  }

  /** Drops the entries of a user (sessions, keys, access) or of an organization (roles, dashboards). */
  invalidate(change: { user?: string; org?: string }): void {
    this.generation += 1
    for (const [key, entry] of this.entries) {
      if ((change.user && entry.userId === change.user) || (change.org && entry.orgId === change.org)) this.entries.delete(key)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.clear()
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  /** Opens the LISTEN connection once (in the background); reconnects a second after a failure. */
  private listen(): void {
    if (this.client || this.connecting || this.stopped) return
    this.connecting = this.open()
      .catch(() => {
        if (!this.stopped) setTimeout(() => this.listen(), 1_000).unref()
      })
      .finally(() => {
        this.connecting = undefined
      })
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ ...this.connectionOptions, application_name: 'tessera-access-cache' })
    client.on('notification', (message) => {
      if (message.channel !== ACCESS_CHANNEL || !message.payload) return
      try {
        const change = JSON.parse(message.payload) as { user?: unknown; org?: unknown }
        this.invalidate({
          user: typeof change.user === 'string' ? change.user : undefined,
          org: typeof change.org === 'string' ? change.org : undefined,
        })
      } catch {
        this.clear()
      }
    })
    client.on('error', () => {
      if (this.client !== client) return
      // Notifications may be missed from here on: forget everything and stop caching until back.
      this.client = undefined
      this.clear()
      client.end().catch(() => undefined)
      if (!this.stopped) setTimeout(() => this.listen(), 1_000).unref()
    })
    await client.connect()
    await client.query(`listen ${ACCESS_CHANNEL}`)
    if (this.stopped) {
      await client.end()
      return
    }
    this.clear()
    this.client = client
  }
}

const caches = new WeakMap<Services, AccessCache>()

/** The process's one access cache for a set of services. */
export function sharedAccessCache(services: Services): AccessCache {
  let cache = caches.get(services)
  if (!cache) {
    cache = new AccessCache(services.pool.options)
    caches.set(services, cache)
  }
  return cache
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Clears the process's access cache as every state-changing request answers (before the client
 * can send its next one), except ingest, which changes data, not access; stops LISTEN on close.
 */
export function registerAccessCacheHooks(app: FastifyInstance, services: Services): void {
  const cache = sharedAccessCache(services)
  // Callback style: it runs on every response, and an async hook costs a promise each time.
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (!READ_METHODS.has(request.method) && request.routeOptions.config?.scope !== 'ingest') cache.clear()
    done(null, payload)
  })
  app.addHook('onClose', async () => cache.stop())
}
