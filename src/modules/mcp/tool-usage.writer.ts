import type { FastifyBaseLogger } from 'fastify'
import { Counter } from 'prom-client'
import { withContext } from '../../platform/db.ts'
import { registry } from '../../platform/metrics.ts'
import type { Services } from '../../platform/services.ts'
import { insertToolCalls } from './tool-usage.repository.ts'
import { toolUsageRow, type ToolCallRecord } from './tool-usage.record.ts'

/** Seed 002's analytics settings (system_settings), with the seed's defaults. */
const DEFAULT_BATCH_SIZE = 50
const DEFAULT_FLUSH_INTERVAL_MS = 5_000
/** A database outage must not grow the buffer without bound: past this, the oldest calls are dropped (and counted). */
const MAX_BUFFERED = 10_000
/** A group that failed this many flushes is dropped (and counted) rather than retried forever. */
const MAX_ATTEMPTS = 3
const SETTINGS_RECHECK_MS = 10_000

export const toolCallsWritten = new Counter({
  name: 'tessera_tool_usage_logs_written_total',
  help: 'MCP tool calls written to telemetry.tool_usage_logs by the buffered writer',
  registers: [registry],
})

export const toolCallsDropped = new Counter({
  name: 'tessera_tool_usage_logs_dropped_total',
  help: 'MCP tool calls the buffered writer gave up on, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
})

interface Pending {
  record: ToolCallRecord
  attempts: number
}

/**
 * Records MCP tool calls off the request path: `record` only appends to a buffer; the buffer
 * is written every analytics.flush_interval_ms, as soon as it holds analytics.batch_size calls,
 * and on shutdown (`stop`, from the app's onClose hook). Each flush writes one transaction per
 * organization and user, bound to them like any request (RLS: the user must still be a member),
 * so the writer needs no privilege the API lacks.
 *
 * Self-contained on purpose: the request-log writer is a sibling, to be merged later.
 */
export class ToolUsageWriter {
  private buffer: Pending[] = []
  private timer: NodeJS.Timeout | undefined
  private scheduling = false
  private settingsReadAt = 0
  private flushing: Promise<void> | undefined
  private stopped = false
  private enabled = true
  private batchSize = DEFAULT_BATCH_SIZE
  private intervalMs = DEFAULT_FLUSH_INTERVAL_MS

  constructor(
    private readonly services: Services,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Reads the analytics settings once before the first call (they are read again before each flush). */
  async start(): Promise<void> {
    await this.refreshSettings()
  }

  /** Queues one call; never waits and never throws. */
  record(record: ToolCallRecord): void {
    if (!this.enabled) {
      // Analytics switched off: look again now and then, so switching it back on takes effect.
      if (Date.now() - this.settingsReadAt > SETTINGS_RECHECK_MS) {
        void this.refreshSettings()
      }
      return
    }
    this.buffer.push({ record, attempts: 0 })
    if (this.buffer.length > MAX_BUFFERED) {
      this.buffer.splice(0, this.buffer.length - MAX_BUFFERED)
      toolCallsDropped.inc({ reason: 'buffer_full' })
    }
    if (this.stopped || this.buffer.length >= this.batchSize) {
      void this.flush()
    } else {
      this.schedule()
    }
  }

  /** Writes everything buffered now; concurrent callers share one flush. */
  flush(): Promise<void> {
    if (this.flushing) {
      return this.flushing.then(() => (this.buffer.length > 0 ? this.flush() : undefined))
    }
    this.clearTimer()
    this.flushing = this.writeBuffered().finally(() => {
      this.flushing = undefined
      if (this.buffer.length > 0 && !this.stopped) {
        this.schedule()
      }
    })
    return this.flushing
  }

  /** Flushes what is pending; later calls are written at once. */
  async stop(): Promise<void> {
    this.stopped = true
    this.clearTimer()
    await this.flush()
    // What failed during the last flush gets its remaining attempts now, not never.
    for (let round = 0; round < MAX_ATTEMPTS && this.buffer.length > 0; round += 1) {
      await this.flush()
    }
  }

  /** Arms the flush timer with the current analytics.flush_interval_ms (settings are read first: they may have changed). */
  private schedule(): void {
    if (this.timer || this.scheduling || this.stopped) {
      return
    }
    this.scheduling = true
    void this.refreshSettings().finally(() => {
      this.scheduling = false
      if (this.timer || this.stopped || this.buffer.length === 0) {
        return
      }
      this.timer = setTimeout(() => {
        this.timer = undefined
        void this.flush()
      }, this.intervalMs)
      // A pending flush must not keep a finished process alive; shutdown flushes through stop().
      this.timer.unref()
    })
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
  }

  private async refreshSettings(): Promise<void> {
    this.settingsReadAt = Date.now()
    try {
      this.enabled = await this.services.settings.boolean('analytics.enabled', true)
      this.batchSize = await this.services.settings.integer('analytics.batch_size', DEFAULT_BATCH_SIZE)
      this.intervalMs = await this.services.settings.integer('analytics.flush_interval_ms', DEFAULT_FLUSH_INTERVAL_MS)
    } catch (error) {
      // Settings unreadable (database down): keep the last known values.
      this.log.debug({ err: error }, 'analytics settings not refreshed')
    }
  }

  private async writeBuffered(): Promise<void> {
    const taken = this.buffer
    this.buffer = []
    const groups = new Map<string, Pending[]>()
    for (const pending of taken) {
      const key = `${pending.record.orgId}/${pending.record.userId ?? ''}`
      groups.set(key, [...(groups.get(key) ?? []), pending])
    }
    for (const group of groups.values()) {
      const { orgId, userId } = group[0]!.record
      try {
        await withContext(this.services.db, { orgId, userId }, (trx) => insertToolCalls(trx, group.map((pending) => toolUsageRow(pending.record))))
        toolCallsWritten.inc(group.length)
      } catch (error) {
        const retry = group.filter((pending) => pending.attempts + 1 < MAX_ATTEMPTS).map((pending) => ({ ...pending, attempts: pending.attempts + 1 }))
        if (retry.length < group.length) {
          toolCallsDropped.inc({ reason: 'write_failed' }, group.length - retry.length)
        }
        this.buffer.unshift(...retry)
        this.log.warn({ err: error, orgId, calls: group.length, retried: retry.length }, 'tool usage logs not written')
      }
    }
  }
}
