import { sql, type Selectable } from 'kysely'
import type { DB, Db, Trx } from '../../platform/db.ts'

/** The sink delivery outbox (ingest.sink_deliveries) and the delivery state of sinks. */

export type DeliveryRow = Selectable<DB['ingest.sink_deliveries']>
export type SinkRowForDelivery = Selectable<DB['ingest.pipeline_sinks']>
export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed'

/** A claimed delivery: its row (payload as JSON text), its sink, and whether its pipeline keeps data. */
export interface ClaimedDelivery {
  id: string
  organization_id: string
  pipeline_id: string
  sink_id: string
  execution_id: string | null
  hop: number
  attempts: number
  record_count: number
  payload: string | null
  persist_data: boolean
  sink: SinkRowForDelivery
}

/** Whether the pipeline has an active sink: the cheap check before a batch is copied into the outbox. */
export async function hasActiveSinks(db: Db, orgId: string, pipelineId: string): Promise<boolean> {
  const row = await db
    .selectFrom('ingest.pipeline_sinks')
    .select('id')
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('is_active', '=', true)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * One row per active sink per batch. The batches travel as ONE parameter, a JSON array of JSON
 * arrays, parsed once (materialized) whatever the number of sinks.
 */
export async function insertDeliveries(
  db: Db,
  values: { orgId: string; pipelineId: string; batches: string; executionId: string | null; ingestionJobId: string | null; hop: number },
): Promise<Array<{ id: string; sink_id: string }>> {
  const { rows } = await sql<{ id: string; sink_id: string }>`
    with b as materialized (
      select e.value as payload, jsonb_array_length(e.value) as n, e.position
        from jsonb_array_elements(${values.batches}::jsonb) with ordinality as e(value, position)
       where jsonb_array_length(e.value) > 0)
    insert into ingest.sink_deliveries (organization_id, pipeline_id, sink_id, execution_id, ingestion_job_id, hop, payload, record_count)
    select s.organization_id, s.pipeline_id, s.id, ${values.executionId}::uuid, ${values.ingestionJobId}::uuid, ${values.hop}, b.payload, b.n
      from ingest.pipeline_sinks s cross join b
     where s.organization_id = ${values.orgId} and s.pipeline_id = ${values.pipelineId} and s.is_active
     order by b.position, s.created_at, s.id
    returning id, sink_id`.execute(db)
  return rows
}

/**
 * Claims due deliveries (pending and due, or delivering past their lease: the worker holding
 * them died). FOR UPDATE SKIP LOCKED: two workers never claim the same row; once the claim
 * commits, status `delivering` and the lease (next_attempt_at) keep others off it.
 */
export async function claimDeliveries(trx: Trx, orgId: string, scope: { pipelineId: string } | { ids: string[] }, limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
  const filter = 'ids' in scope ? sql`d.id = any(${scope.ids}::uuid[])` : sql`d.pipeline_id = ${scope.pipelineId}`
  const { rows } = await sql<Omit<ClaimedDelivery, 'sink'>>`
    with picked as (
      select d.id from ingest.sink_deliveries d
       where d.organization_id = ${orgId} and ${filter}
         and d.status in ('pending', 'delivering') and d.next_attempt_at <= now()
         and exists (select 1 from ingest.pipeline_sinks s where s.organization_id = d.organization_id and s.id = d.sink_id and s.is_active)
       order by d.next_attempt_at, d.created_at
       limit ${limit}
       for update of d skip locked)
    update ingest.sink_deliveries d
       set status = 'delivering', attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
      from picked, ingest.pipelines p
     where d.id = picked.id and p.organization_id = d.organization_id and p.id = d.pipeline_id
    returning d.id, d.organization_id, d.pipeline_id, d.sink_id, d.execution_id, d.hop, d.attempts, d.record_count, d.payload::text as payload, p.persist_data`.execute(trx)
  if (rows.length === 0) {
    return []
  }
  const sinks = await trx.selectFrom('ingest.pipeline_sinks').selectAll().where('organization_id', '=', orgId).where('id', 'in', [...new Set(rows.map((row) => row.sink_id))]).execute()
  const byId = new Map(sinks.map((sink) => [sink.id, sink]))
  return rows.flatMap((row) => {
    const sink = byId.get(row.sink_id)
    return sink ? [{ ...row, sink }] : []
  })
}

/** The claim this attempt holds: a recording only lands while the row is still ours. */
type Claim = Pick<ClaimedDelivery, 'id' | 'organization_id' | 'attempts'>

export async function markDelivered(trx: Trx, claim: Claim, values: { statusCode: number | null; dropPayload: boolean }): Promise<boolean> {
  const { rows } = await sql`
    update ingest.sink_deliveries
       set status = 'delivered', delivered_at = now(), last_status_code = ${values.statusCode}, last_error = null,
           payload = case when ${values.dropPayload} then null else payload end
     where organization_id = ${claim.organization_id} and id = ${claim.id} and status = 'delivering' and attempts = ${claim.attempts}
    returning id`.execute(trx)
  return rows.length > 0
}

/** Back to pending after `delayMs`; answers when it will be due again, or null when the claim was lost. */
export async function markRetry(trx: Trx, claim: Claim, values: { error: string; statusCode: number | null; delayMs: number }): Promise<Date | null> {
  const { rows } = await sql<{ next_attempt_at: Date }>`
    update ingest.sink_deliveries
       set status = 'pending', next_attempt_at = now() + make_interval(secs => ${values.delayMs / 1000}), last_error = ${values.error}, last_status_code = ${values.statusCode}
     where organization_id = ${claim.organization_id} and id = ${claim.id} and status = 'delivering' and attempts = ${claim.attempts}
    returning next_attempt_at`.execute(trx)
  return rows[0]?.next_attempt_at ?? null
}

export async function markFailed(trx: Trx, claim: Claim, values: { error: string; statusCode: number | null }): Promise<boolean> {
  const { rows } = await sql`
    update ingest.sink_deliveries
       set status = 'failed', last_error = ${values.error}, last_status_code = ${values.statusCode}
     where organization_id = ${claim.organization_id} and id = ${claim.id} and status = 'delivering' and attempts = ${claim.attempts}
    returning id`.execute(trx)
  return rows.length > 0
}

/** The sink's delivery state: a delivered batch, an attempt that failed (failedRecords > 0 when it gave up). */
export async function noteSinkOutcome(trx: Trx, orgId: string, sinkId: string, outcome: { deliveredRecords: number } | { error: string; failedRecords: number }): Promise<void> {
  const set =
    'deliveredRecords' in outcome
      ? sql`last_delivered_at = now(), records_delivered = records_delivered + ${outcome.deliveredRecords}`
      : sql`last_error = ${outcome.error}, last_error_at = now(), records_failed = records_failed + ${outcome.failedRecords}`
  await sql`update ingest.pipeline_sinks set ${set} where organization_id = ${orgId} and id = ${sinkId}`.execute(trx)
}

/** Deliveries due now or later for each sink of a pipeline (pending or being delivered). */
export async function pendingCounts(db: Db, orgId: string, pipelineId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('ingest.sink_deliveries')
    .select((eb) => ['sink_id', eb.fn.countAll<string>().as('n')])
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('status', 'in', ['pending', 'delivering'])
    .groupBy('sink_id')
    .execute()
  return new Map(rows.map((row) => [row.sink_id, Number(row.n)]))
}

export async function sinkOfPipeline(db: Db, orgId: string, pipelineId: string, sinkId: string): Promise<boolean> {
  const row = await db.selectFrom('ingest.pipeline_sinks').select('id').where('organization_id', '=', orgId).where('pipeline_id', '=', pipelineId).where('id', '=', sinkId).executeTakeFirst()
  return row !== undefined
}

const DELIVERY_COLUMNS = [
  'id', 'organization_id', 'pipeline_id', 'sink_id', 'execution_id', 'ingestion_job_id', 'hop', 'record_count', 'status', 'attempts',
  'next_attempt_at', 'last_attempt_at', 'last_error', 'last_status_code', 'delivered_at', 'created_at',
] as const
export type DeliverySummaryRow = Omit<DeliveryRow, 'payload'> & { has_payload: boolean }

/** A sink's deliveries, newest first, without their payloads. */
export function listDeliveries(db: Db, orgId: string, sinkId: string, query: { status?: DeliveryStatus; limit: number; offset: number; ids?: string[] }): Promise<DeliverySummaryRow[]> {
  let select = db
    .selectFrom('ingest.sink_deliveries')
    .select(DELIVERY_COLUMNS)
    .select(sql<boolean>`payload is not null`.as('has_payload'))
    .where('organization_id', '=', orgId)
    .where('sink_id', '=', sinkId)
  if (query.status) {
    select = select.where('status', '=', query.status)
  }
  if (query.ids) {
    select = select.where('id', 'in', query.ids)
  }
  return select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute()
}

/** The deliveries of these ids, wherever they stand (a run's summary after its inline attempt). */
export function deliveriesByIds(db: Db, orgId: string, ids: string[]): Promise<Array<Pick<DeliveryRow, 'id' | 'sink_id' | 'status' | 'record_count' | 'last_error'>>> {
  if (ids.length === 0) {
    return Promise.resolve([])
  }
  return db.selectFrom('ingest.sink_deliveries').select(['id', 'sink_id', 'status', 'record_count', 'last_error']).where('organization_id', '=', orgId).where('id', 'in', ids).execute()
}

/** Type and name of these sinks, for a run's summary. */
export function sinksByIds(db: Db, orgId: string, ids: string[]): Promise<Array<Pick<SinkRowForDelivery, 'id' | 'sink_type' | 'name'>>> {
  if (ids.length === 0) {
    return Promise.resolve([])
  }
  return db.selectFrom('ingest.pipeline_sinks').select(['id', 'sink_type', 'name']).where('organization_id', '=', orgId).where('id', 'in', ids).execute()
}

/** Locks one delivery of a sink for a manual retry. */
export function lockDelivery(trx: Trx, orgId: string, sinkId: string, id: string): Promise<Pick<DeliveryRow, 'id' | 'status'> & { has_payload: boolean } | undefined> {
  return trx
    .selectFrom('ingest.sink_deliveries')
    .select(['id', 'status'])
    .select(sql<boolean>`payload is not null`.as('has_payload'))
    .where('organization_id', '=', orgId)
    .where('sink_id', '=', sinkId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

/** A failed delivery starts over: pending now, with the sink's full number of retries again. */
export async function resetForRetry(trx: Trx, orgId: string, id: string): Promise<void> {
  await trx.updateTable('ingest.sink_deliveries').set({ status: 'pending', attempts: 0, next_attempt_at: sql<Date>`now()` }).where('organization_id', '=', orgId).where('id', '=', id).execute()
}

export interface DueTarget {
  organization_id: string
  pipeline_id: string
  acting_user_id: string | null
}

/** Before any tenant context: pipelines with due deliveries (see private.due_sink_deliveries). */
export async function dueSinkDeliveries(db: Db, orgId: string | null): Promise<DueTarget[]> {
  const { rows } = await sql<DueTarget>`select * from private.due_sink_deliveries(${orgId}::uuid)`.execute(db)
  return rows
}

export async function purgeSinkDeliveries(db: Db, deliveredDays: number, failedDays: number, limit: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`select private.purge_sink_deliveries(${deliveredDays}, ${failedDays}, ${limit}) as n`.execute(db)
  return rows[0]?.n ?? 0
}
