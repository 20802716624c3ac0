import pg from 'pg'
import { DATA_CHANNEL, decodeChange, type DataChange } from './live.notify.ts'

type Listener = (change: DataChange) => void

/**
 * One LISTEN connection per server process, shared by every live stream: notifications are
 * dispatched to the subscribers of their organization. The connection opens with the first
 * subscriber and reconnects after a failure (a restarted database), with a short backoff;
 * while it is down, streams stay open and clients keep their last data.
 */
export class LiveHub {
  private client: pg.Client | undefined
  private connecting: Promise<void> | undefined
  private readonly listeners = new Map<string, Set<Listener>>()
  private stopped = false
  /** Counts LISTEN connections opened: notifications may have been missed between two of them. */
  private epoch = 0

  constructor(private readonly connectionOptions: pg.ClientConfig) {}

  async subscribe(orgId: string, listener: Listener): Promise<() => void> {
    const set = this.listeners.get(orgId) ?? new Set()
    set.add(listener)
    this.listeners.set(orgId, set)
    await this.connect()
    return () => {
      set.delete(listener)
      if (set.size === 0) this.listeners.delete(orgId)
    }
  }

  /**
   * While LISTEN is active, the connection's number (it changes after a reconnect, when
   * notifications may have been missed); undefined while it is down.
   */
  get listeningEpoch(): number | undefined {
    return this.client ? this.epoch : undefined
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.listeners.clear()
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  private connect(): Promise<void> {
    if (this.client || this.stopped) return Promise.resolve()
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ ...this.connectionOptions, application_name: 'tessera-live' })
    client.on('notification', (message) => {
      const change = message.channel === DATA_CHANNEL && message.payload ? decodeChange(message.payload) : undefined
      if (change) {
        for (const listener of this.listeners.get(change.orgId) ?? []) listener(change)
      }
    })
    client.on('error', () => {
      if (this.client === client) {
        this.client = undefined
        client.end().catch(() => undefined)
        if (!this.stopped && this.listeners.size > 0) setTimeout(() => void this.connect().catch(() => undefined), 1_000).unref()
      }
    })
    await client.connect()
    await client.query(`listen ${DATA_CHANNEL}`)
    if (this.stopped) {
      await client.end()
      return
    }
    this.epoch += 1
    this.client = client
  }
}
