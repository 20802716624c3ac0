import { readFileSync } from 'node:fs'
import { Counter } from 'prom-client'
import { sql, type Kysely } from 'kysely'
import type pino from 'pino'
import type { DB } from './db.ts'
import { categorize, describeError, redactContext, severityOf, type ErrorCategory, type ErrorLevel, type ImpactLevel } from './error-fingerprint.ts'
import { registry } from './metrics.ts'

/**
 * Records server errors and failed jobs in telemetry.error_logs, grouped by fingerprint
 * (db/migrations/0280). record() is synchronous and never throws: it derives the fingerprint,
 * then adds the occurrence to an in-memory buffer keyed by organization and fingerprint, so a
 * thousand identical failures are one entry with a count. A timer flushes the buffer in one
 * statement (private.record_errors) off the request path; close() flushes what is left.
 *
 * The buffer is bounded: past MAX_PENDING_GROUPS distinct groups, new groups are dropped and
 * counted (tessera_error_log_dropped_total), never queued without limit. A flush that fails
 * (database down) puts its groups back for the next one, up to MAX_FLUSH_ATTEMPTS.
 */

const MAX_PENDING_GROUPS = 500
const FLUSH_AT_GROUPS = 100
const MAX_FLUSH_ATTEMPTS = 3
const DEFAULT_FLUSH_INTERVAL_MS = 1_000
const CLOSE_TIMEOUT_MS = 5_000

export const errorLogDropped = new Counter({
  name: 'tessera_error_log_dropped_total',
  help: 'Error occurrences not recorded in telemetry.error_logs, by reason (buffer_full, write_failed, record_failed)',
  labelNames: ['reason'] as const,
  registers: [registry],
})

export interface ErrorOccurrence {
  error: unknown
  source: 'http' | 'job'
  level?: ErrorLevel
  /** The organization the error happened in, if any; kept only if userId is an active member of it (or no user acted). */
  organizationId?: string | null | undefined
  userId?: string | null | undefined
  sessionId?: string | null | undefined
  requestId?: string | null | undefined
  executionId?: string | null | undefined
  /** Where it happened (route, method, job name, …); redacted before it is stored. */
  context?: Record<string, unknown>
}

interface PendingGroup {
  organization_id: string | null
  user_id: string | null
  fingerprint: string
  level: ErrorLevel
  message: string
  stack_trace: string | null
  error_code: string
  context: unknown
  session_id: string | null
  request_id: string | null
  execution_id: string | null
  category: ErrorCategory
  severity: number
  impact_level: ImpactLevel
  environment: string
  service_version: string
  occurrences: number
  first_occurrence: string
  last_occurrence: string
  attempts: number
}

/** package.json's version, read once: the service_version of every recorded error. */
export function serviceVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version.slice(0, 20) : 'unknown'
  } catch {
    return 'unknown'
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const uuidOrNull = (value: string | null | undefined): string | null => (value && UUID.test(value) ? value.toLowerCase() : null)
const cut = (value: string | null | undefined, max: number): string | null => (value ? value.slice(0, max) : null)

export class ErrorRecorder {
  private pending = new Map<string, PendingGroup>()
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private readonly version = serviceVersion()

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: { environment: string; flushIntervalMs?: number; logger?: pino.Logger } = { environment: 'production' },
  ) {}

  /** Adds one occurrence to the buffer. Never throws and never waits for the database. */
  record(occurrence: ErrorOccurrence): void {
    try {
      const described = describeError(occurrence.error)
      const level = occurrence.level ?? 'error'
      const category = categorize(occurrence.error, occurrence.source)
      const organizationId = uuidOrNull(occurrence.organizationId)
      const key = `${organizationId ?? 'instance'}:${described.fingerprint}`
      const now = new Date().toISOString()
      const context = redactContext({ ...occurrence.context, source: occurrence.source, ...(described.cause ? { cause: described.cause } : {}) })
      const existing = this.pending.get(key)
      if (existing) {
        // The latest occurrence describes the group (its request id, context, message).
        Object.assign(existing, {
          occurrences: existing.occurrences + 1,
          last_occurrence: now,
          level,
          message: described.message,
          stack_trace: described.stack ?? existing.stack_trace,
          context,
          user_id: uuidOrNull(occurrence.userId),
          session_id: cut(occurrence.sessionId, 255),
          request_id: cut(occurrence.requestId, 255),
          execution_id: cut(occurrence.executionId, 255),
        })
        return
      }
      if (this.pending.size >= MAX_PENDING_GROUPS) {
        errorLogDropped.inc({ reason: 'buffer_full' })
        return
      }
      const { severity, impactLevel } = severityOf(category, level)
      this.pending.set(key, {
        organization_id: organizationId,
        user_id: uuidOrNull(occurrence.userId),
        fingerprint: described.fingerprint,
        level,
        message: described.message,
        stack_trace: described.stack,
        error_code: described.code,
        context,
        session_id: cut(occurrence.sessionId, 255),
        request_id: cut(occurrence.requestId, 255),
        execution_id: cut(occurrence.executionId, 255),
        category,
        severity,
        impact_level: impactLevel,
        environment: this.options.environment.slice(0, 20),
        service_version: this.version,
        occurrences: 1,
        first_occurrence: now,
        last_occurrence: now,
        attempts: 0,
      })
      this.schedule(this.pending.size >= FLUSH_AT_GROUPS ? 0 : (this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS))
    } catch {
      // Recording an error must never become an error of its own.
      errorLogDropped.inc({ reason: 'record_failed' })
    }
  }

  /** Writes everything buffered so far; resolves when it is stored (or given up on). Never rejects. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    // One write at a time; a failed one must not poison the chain for the next.
    this.flushing = this.flushing.then(() => this.write()).catch(() => undefined)
    return this.flushing
  }

  /**
   * Flushes what is buffered (graceful shutdown), waiting at most closeTimeoutMs: a process
   * stopping during a database outage must not hang on its error log.
   */
  async close(closeTimeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, closeTimeoutMs)
      timer.unref()
    })
    await Promise.race([this.flush(), timeout])
    clearTimeout(timer)
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) {
      return
    }
    if (this.timer) {
      clearTimeout(this.timer)
    }
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, delayMs)
    // A pending flush must not keep a finished process alive; close() flushes on shutdown.
    this.timer.unref()
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) {
      return
    }
    const batch = [...this.pending.values()]
    this.pending = new Map()
    try {
      const rows = batch.map(({ attempts: _attempts, ...row }) => row)
      await sql`select private.record_errors(${JSON.stringify(rows)}::jsonb)`.execute(this.db)
    } catch (error) {
      this.options.logger?.warn({ err: error, groups: batch.length }, 'error log flush failed')
      for (const group of batch) {
        this.requeue(group)
      }
      if (this.pending.size > 0) {
        this.schedule(this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS)
      }
    }
  }

  /** Puts a group whose write failed back, merged with occurrences recorded meanwhile. */
  private requeue(group: PendingGroup): void {
    if (group.attempts + 1 >= MAX_FLUSH_ATTEMPTS) {
      errorLogDropped.inc({ reason: 'write_failed' }, group.occurrences)
      return
    }
    const key = `${group.organization_id ?? 'instance'}:${group.fingerprint}`
    const newer = this.pending.get(key)
    if (newer) {
      newer.occurrences += group.occurrences
      newer.first_occurrence = group.first_occurrence
      newer.attempts = Math.max(newer.attempts, group.attempts + 1)
      return
    }
    if (this.pending.size >= MAX_PENDING_GROUPS) {
      errorLogDropped.inc({ reason: 'buffer_full' }, group.occurrences)
      return
    }
    this.pending.set(key, { ...group, attempts: group.attempts + 1 })
  }
}
