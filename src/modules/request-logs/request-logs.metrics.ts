import { Counter } from 'prom-client'
import { registry } from '../../platform/metrics.ts'

/** Request log entries stored in telemetry.request_logs. */
export const requestLogsWritten = new Counter({
  name: 'tessera_request_logs_written_total',
  help: 'Request log entries written to telemetry.request_logs',
  registers: [registry],
})

/**
 * Request log entries given up on, by reason: buffer_full (the database could not take them
 * for so long that the buffer overflowed; the oldest go), shutdown (still pending when the
 * process stopped and the database would not take them), rejected (the database refused the
 * entry itself), capture_failed (the entry could not be built).
 */
export const requestLogsDropped = new Counter({
  name: 'tessera_request_logs_dropped_total',
  help: 'Request log entries dropped, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
})

export type DropReason = 'buffer_full' | 'shutdown' | 'rejected' | 'capture_failed'
