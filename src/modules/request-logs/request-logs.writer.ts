import pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import type { SettingsCache } from '../../platform/settings-cache.ts'
import type { RequestLogEntry } from './request-logs.capture.ts'
import { requestLogsDropped, requestLogsWritten, type DropReason } from './request-logs.metrics.ts'

/**
 * The request-log writer: requests hand it their entry (add, synchronous, no I/O) and it
 * writes them to telemetry.request_logs in batches, on its own connection as
 * tessera_log_writer, which may INSERT there and do nothing else.
 *
 * A batch goes out every analytics.flush_interval_ms, or as soon as analytics.batch_size
 * entries wait. When the database does not take a batch, the entries stay in memory and the
 * next attempt waits longer each time (backoff up to MAX_BACKOFF_MS); at most
 * analytics.request_log_buffer_max entries are kept, the oldest beyond that are dropped and
 * counted (tessera_request_logs_dropped_total). A request never waits for any of this.
 * close() (graceful shutdown) writes everything still pending.
 */

export interface RequestLogSettings {
  enabled: boolean
  batchSize: number
  flushIntervalMs: number
  bodyMaxBytes: number
  bufferMax: number
}

/** Seed 002's values (0005) and 0270's; used until the settings are read, and when they can't be. */
export const DEFAULT_SETTINGS: RequestLogSettings = { enabled: true, batchSize: 50, flushIntervalMs: 5000, bodyMaxBytes: 4096, bufferMax: 10_000 }

const BASE_BACKOFF_MS = 250
const MAX_BACKOFF_MS = 30_000
/** Attempts close() makes to write what is pending before it counts the rest as dropped... */
const SHUTDOWN_ATTEMPTS = 3
/** ...within this long: a database that hangs must not hold a shutdown past an orchestrator's grace period. */
const SHUTDOWN_TIMEOUT_MS = 10_000

const COLUMNS = `organization_id uuid, request_id varchar, method varchar, route text, path text, query_params jsonb, request_headers jsonb,
  request_body jsonb, response_status_code integer, response_data jsonb, response_headers jsonb, response_size_bytes integer,
  duration_ms integer, queue_time_ms integer, processing_time_ms integer, success boolean, error_type varchar, user_id uuid,
  session_id varchar, at double precision, user_agent text, ip_address inet, client_version varchar, correlation_id varchar,
  trace_id varchar, span_id varchar`

// One statement per batch: the batch travels as one JSON parameter. ON CONFLICT without a
// target needs no SELECT right: a request id sent twice by a client in the same microsecond
// is logged once.
const INSERT = `insert into telemetry.request_logs (organization_id, request_id, method, route, path, query_params, request_headers,
    request_body, response_status_code, response_data, response_headers, response_size_bytes, duration_ms, queue_time_ms,
    processing_time_ms, success, error_type, user_id, session_id, "timestamp", user_agent, ip_address, client_version,
    correlation_id, trace_id, span_id)
  select organization_id, request_id, method, route, path, query_params, request_headers, request_body, response_status_code,
         response_data, response_headers, response_size_bytes, duration_ms, queue_time_ms, processing_time_ms, success, error_type,
         user_id, session_id, to_timestamp(at / 1000.0), user_agent, ip_address, client_version, correlation_id, trace_id, span_id
    from jsonb_to_recordset($1::jsonb) as r(${COLUMNS})
  on conflict do nothing`

type SettingsSource = Pick<SettingsCache, 'integer' | 'boolean'>
type Log = Pick<FastifyBaseLogger, 'warn' | 'info' | 'debug'>

export class RequestLogWriter {
  private buffer: RequestLogEntry[] = []
  private current: RequestLogSettings = DEFAULT_SETTINGS
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<void> | null = null
  /** Entries of the batch being written (out of the buffer until the database answers). */
  private writing = 0
  private flushQueued = false
  private failures = 0
  private retryAt = 0
  private closed = false

  constructor(
    private readonly pool: pg.Pool,
    private readonly settingsSource: SettingsSource,
    private readonly log: Log,
  ) {}

  /** A writer with its own small pool on `connectionString` (the tessera_log_writer login). */
  static connect(connectionString: string, settings: SettingsSource, log: Log): RequestLogWriter {
    const pool = new pg.Pool({
      connectionString,
      // Batches are written one at a time: one connection is all the writer ever uses.
      max: 1,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 3_000,
      statement_timeout: 15_000,
      application_name: 'tessera-request-logs',
    })
    // A connection lost while idle (a restart of PostgreSQL) must not crash the process.
    pool.on('error', () => undefined)
    return new RequestLogWriter(pool, settings, log)
  }

  get settings(): RequestLogSettings {
    return this.current
  }

  /** Entries waiting to be written. */
  get pending(): number {
    return this.buffer.length
  }

  /** Reads the settings, then flushes every interval. */
  async start(): Promise<void> {
    await this.reloadSettings()
    this.schedule()
  }

  /**
   * Takes one request's entry; synchronous and I/O-free, called on the request path. Entries
   * that arrive while logging is off are not kept.
   */
  add(entry: RequestLogEntry): void {
    if (this.closed) {
      requestLogsDropped.inc({ reason: 'shutdown' })
      return
    }
    if (!this.current.enabled) {
      return
    }
    this.buffer.push(entry)
    if (this.buffer.length > this.current.bufferMax) {
      this.drop(this.buffer.length - this.current.bufferMax, 'buffer_full')
    }
    if (this.buffer.length >= this.current.batchSize && !this.flushQueued && !this.inFlight && Date.now() >= this.retryAt) {
      this.flushQueued = true
      setImmediate(() => {
        this.flushQueued = false
        void this.flush()
      })
    }
  }

  /** Writes what is pending now (one flush at a time; a caller during a flush shares it). */
  flush(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.drain().finally(() => {
        this.inFlight = null
      })
    }
    return this.inFlight
  }

  /**
   * Graceful shutdown: stops the timer and writes everything pending, trying a few times
   * (a pending backoff is not waited out); what the database still refuses is counted as
   * dropped. Then closes the connection.
   */
  async close(): Promise<void> {
    if (this.closed) {
      return
    }
    this.closed = true
    clearTimeout(this.timer)
    const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS
    for (let attempt = 0; attempt < SHUTDOWN_ATTEMPTS && this.buffer.length + this.writing > 0 && Date.now() < deadline; attempt++) {
      if (attempt > 0) {
        await sleep(Math.min(BASE_BACKOFF_MS * attempt, deadline - Date.now()))
      }
      // The first attempt may be a batch the timer started: it is waited for, not repeated.
      await beforeDeadline(this.inFlight ?? this.flush(), deadline)
    }
    const left = this.buffer.length + this.writing
    if (left > 0) {
      // A batch still being written when time ran out counts too: it may yet land.
      this.log.warn({ dropped: left }, 'request log entries dropped at shutdown: the database did not take them')
      this.buffer.length = 0
      requestLogsDropped.inc({ reason: 'shutdown' }, left)
    }
    await beforeDeadline(this.pool.end().catch(() => undefined), Date.now() + 1_000)
  }

  /** Re-reads the analytics.* settings (every flush interval; a change applies within one). */
  async reloadSettings(): Promise<void> {
    try {
      const s = this.settingsSource
      const next: RequestLogSettings = {
        enabled: await s.boolean('analytics.enabled', DEFAULT_SETTINGS.enabled),
        batchSize: clamp(await s.integer('analytics.batch_size', DEFAULT_SETTINGS.batchSize), 1, 10_000),
        flushIntervalMs: clamp(await s.integer('analytics.flush_interval_ms', DEFAULT_SETTINGS.flushIntervalMs), 100, 600_000),
        bodyMaxBytes: clamp(await s.integer('analytics.request_body_max_bytes', DEFAULT_SETTINGS.bodyMaxBytes), 0, 65_536),
        bufferMax: clamp(await s.integer('analytics.request_log_buffer_max', DEFAULT_SETTINGS.bufferMax), 100, 1_000_000),
      }
      if (!next.enabled && this.buffer.length > 0) {
        // Turned off: what was taken before still goes out.
        void this.flush()
      }
      this.current = next
    } catch (error) {
      // The settings stay as they were: the main database being away is no reason to stop logging.
      this.log.debug({ err: error }, 'request log settings not reloaded')
    }
  }

  private schedule(): void {
    if (this.closed) {
      return
    }
    this.timer = setTimeout(() => {
      void this.tick()
    }, this.current.flushIntervalMs)
    // The writer alone must not keep a process alive.
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    await this.reloadSettings()
    if (Date.now() >= this.retryAt) {
      await this.flush()
    }
    this.schedule()
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.current.batchSize)
      this.writing = batch.length
      try {
        await this.write(batch)
      } catch (error) {
        this.writing = 0
        // The database is away (down, unreachable, refusing the login or the grant): keep the
        // entries, oldest first, and wait longer before each new attempt.
        this.buffer.unshift(...batch)
        if (this.buffer.length > this.current.bufferMax) {
          this.drop(this.buffer.length - this.current.bufferMax, 'buffer_full')
        }
        this.failures += 1
        const wait = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (this.failures - 1))
        this.retryAt = Date.now() + wait
        if (this.failures === 1) {
          this.log.warn({ err: error, pending: this.buffer.length }, 'request logs not written; retrying with backoff')
        }
        return
      }
      this.writing = 0
      if (this.failures > 0) {
        this.log.info({ failures: this.failures }, 'request logs written again')
      }
      this.failures = 0
      this.retryAt = 0
    }
  }

  /** One batch; entries the database refuses for their content are retried alone, then given up. */
  private async write(batch: RequestLogEntry[]): Promise<void> {
    try {
      await this.pool.query(INSERT, [JSON.stringify(batch)])
      requestLogsWritten.inc(batch.length)
    } catch (error) {
      if (!isDataError(error) || batch.length === 0) {
        throw error
      }
      for (const entry of batch) {
        await this.writeAlone(entry)
      }
    }
  }

  private async writeAlone(entry: RequestLogEntry): Promise<void> {
    const attempts: RequestLogEntry[] = [
      entry,
      // The user or organization was deleted in the meantime (foreign key): keep the request.
      { ...entry, organization_id: null, user_id: null },
      // A value PostgreSQL's jsonb refuses (a \u0000 in a body): keep the request without its payloads.
      { ...entry, organization_id: null, user_id: null, query_params: null, request_headers: null, request_body: null, response_data: null, response_headers: null },
    ]
    for (const attempt of attempts) {
      try {
        await this.pool.query(INSERT, [JSON.stringify([attempt])])
        requestLogsWritten.inc()
        return
      } catch (error) {
        if (!isDataError(error)) {
          throw error
        }
      }
    }
    this.log.warn({ requestId: entry.request_id }, 'request log entry refused by the database; dropped')
    requestLogsDropped.inc({ reason: 'rejected' })
  }

  private drop(count: number, reason: DropReason): void {
    this.buffer.splice(0, count)
    requestLogsDropped.inc({ reason }, count)
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): the entry, not the database, is the problem. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

/** Waits for `work`, or until `deadline` (epoch ms), whichever comes first. */
async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work, new Promise((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))
  })])
  clearTimeout(timer)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
