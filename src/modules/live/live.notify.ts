import { sql, type RawBuilder } from 'kysely'

/**
 * Ingest commits announce themselves with NOTIFY on one channel. The writer puts the
 * pg_notify call inside its own transaction, so PostgreSQL delivers the notification only if
 * and when the batch commits (never for a rolled-back batch), to every listening server.
 * Payloads carry ids and a time range, never data; a NOTIFY payload must stay under 8000 bytes,
 * so past MAX_IDS the ids are left out and listeners treat the change as touching every source
 * of that kind in the organization.
 */

export const DATA_CHANNEL = 'tessera_data'
const MAX_IDS = 50

export interface DataChange {
  orgId: string
  kind: 'metric' | 'pipeline'
  /** The metrics or pipelines that got data; undefined: any of that kind. */
  ids?: string[]
  /** The time range the new points fall in (metrics), when known. */
  from?: string
  to?: string
}

export function encodeChange(change: DataChange): string {
  const ids = change.ids && change.ids.length <= MAX_IDS ? change.ids : undefined
  return JSON.stringify({ ...change, ids })
}

export function decodeChange(payload: string): DataChange | undefined {
  try {
    const value = JSON.parse(payload) as DataChange
    return typeof value.orgId === 'string' && (value.kind === 'metric' || value.kind === 'pipeline') ? value : undefined
  } catch {
    return undefined
  }
}

/** The pg_notify call to embed in the writer's statement (one per batch). */
export function notifyChange(change: DataChange): RawBuilder<unknown> {
  return sql`pg_notify(${DATA_CHANNEL}, ${encodeChange(change)})`
}
