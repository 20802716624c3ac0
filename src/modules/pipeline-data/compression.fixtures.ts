import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { prng } from '../timeseries/series.fixtures.ts'

/** Test plumbing of the pipeline data compression tests: random rows written with SQL, and what is stored. */

export const DAY_MS = 86_400_000

/** UTC midnight of the day `daysAgo` before `now`. */
export function dayStart(now: Date, daysAgo: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - daysAgo * DAY_MS)
}

/** "pipeline_data_YYYY_MM_DD" of a day. */
export const partitionOf = (day: Date) => `ingest.pipeline_data_${day.toISOString().slice(0, 10).replace(/-/g, '_')}`

export interface RandomRow {
  organization_id: string
  pipeline_id: string
  data: unknown
  ingested_at: string
  record_time: string
  ingestion_job_id: string | null
}

const COUNTRIES = ['FR', 'DE', 'US', 'JP', 'BR']

/** ISO text with microseconds. */
function isoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000)
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`
}

/**
 * Random rows of the given pipelines over the given days: batches sharing an ingested_at and a
 * job (or no job), record times up to three days before ingestion or equal to it, numeric,
 * textual and missing fields, nested objects, unicode, and a few large documents (TOAST).
 * Returned shuffled, so ids do not follow ingestion order.
 */
export function randomRows(target: { orgId: string; pipelineIds: string[] }, days: Date[], count: number, seed: number): RandomRow[] {
  const rand = prng(seed)
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]!
  const rows: RandomRow[] = []
  while (rows.length < count) {
    const day = pick(days)
    const ingested = day.getTime() * 1000 + Math.floor(rand() * (DAY_MS * 1000 - 1))
    const job = rand() < 0.2 ? null : randomUUID()
    const pipelineId = pick(target.pipelineIds)
    const size = 1 + Math.floor(rand() * 40)
    for (let i = 0; i < size && rows.length < count; i++) {
      const recordMicros = rand() < 0.3 ? ingested : ingested - Math.floor(rand() * 3 * DAY_MS * 1000)
      const data: Record<string, unknown> = { n: rows.length, country: rand() < 0.9 ? pick(COUNTRIES) : null }
      if (rand() < 0.85) {
        data.amount = rand() < 0.9 ? Math.round(rand() * 1e6) / 100 - 2000 : 'n/a'
      }
      if (rand() < 0.5) {
        data.m = { price: Math.round(rand() * 1e4) / 100, tag: `é-${Math.floor(rand() * 100)}-✓` }
      }
      if (rand() < 0.01) {
        data.blob = 'x'.repeat(3000 + Math.floor(rand() * 5000))
      }
      rows.push({ organization_id: target.orgId, pipeline_id: pipelineId, data, ingested_at: isoMicros(ingested), record_time: isoMicros(recordMicros), ingestion_job_id: job })
    }
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[rows[i], rows[j]] = [rows[j]!, rows[i]!]
  }
  return rows
}

export async function insertRows(admin: pg.Client, rows: RandomRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000)
    await admin.query(
      `insert into ingest.pipeline_data (organization_id, pipeline_id, data, ingested_at, record_time, ingestion_job_id)
       select * from unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::timestamptz[], $5::timestamptz[], $6::uuid[])`,
      [chunk.map((r) => r.organization_id), chunk.map((r) => r.pipeline_id), chunk.map((r) => JSON.stringify(r.data)),
        chunk.map((r) => r.ingested_at), chunk.map((r) => r.record_time), chunk.map((r) => r.ingestion_job_id)])
  }
}

const canonical = (rows: Array<Record<string, unknown>>) =>
  rows.map((r) => [r.organization_id, r.pipeline_id, r.id, r.ingested_at, r.record_time, r.ingestion_job_id, r.data].join('|')).sort()

/** Every raw row of the pipelines, every column as text, as a sorted list. */
export async function rawRows(admin: pg.Client, pipelineIds: string[]): Promise<string[]> {
  const { rows } = await admin.query(
    `select organization_id, pipeline_id, id::text, ingested_at::text, record_time::text, ingestion_job_id::text, data::text
       from ingest.pipeline_data where pipeline_id = any($1)`, [pipelineIds])
  return canonical(rows)
}

/** Every row the pipelines' segments decode to, in the same form. */
export async function segmentRows(admin: pg.Client, pipelineIds: string[]): Promise<string[]> {
  const { rows } = await admin.query(
    `select s.organization_id, s.pipeline_id, r.id::text, r.ingested_at::text, r.record_time::text, r.ingestion_job_id::text, r.data::text
       from ingest.pipeline_data_segments s
      cross join lateral ingest.pipeline_segment_rows(s.first_id, s.first_ingested_at, s.id_deltas, s.ingested_deltas, s.record_offsets, s.job_ids, s.data) r
      where s.pipeline_id = any($1)`, [pipelineIds])
  return canonical(rows)
}

/** Segments whose summary columns disagree with the rows they decode to (should be none). */
export async function inconsistentSegments(admin: pg.Client): Promise<unknown[]> {
  const { rows } = await admin.query(
    `select s.pipeline_id, s.day, s.seq from ingest.pipeline_data_segments s
      cross join lateral (
        select count(*) as n, min(r.ingested_at) as first, max(r.ingested_at) as last, min(r.record_time) as lo, max(r.record_time) as hi,
               sum(pg_column_size(r.data)) as bytes, bool_and(r.ingested_at >= s.day::timestamp at time zone 'UTC' and r.ingested_at < (s.day + 1)::timestamp at time zone 'UTC') as in_day
          from ingest.pipeline_segment_rows(s.first_id, s.first_ingested_at, s.id_deltas, s.ingested_deltas, s.record_offsets, s.job_ids, s.data) r) d
     where (d.n, d.first, d.last, d.lo, d.hi, d.bytes, d.in_day) is distinct from
           (s.row_count::bigint, s.first_ingested_at, s.last_ingested_at, s.min_record_time, s.max_record_time, s.data_bytes::numeric, true)`)
  return rows
}
