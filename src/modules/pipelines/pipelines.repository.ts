import { sql, type Insertable, type Selectable, type Updateable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'
import { deletePipelineSegments } from '../pipeline-data/segments.ts'
import { newestRows } from '../pipeline-data/stored-rows.ts'

export type PipelineRow = Selectable<DB['ingest.pipelines']> & {
  sink_count: string
  mapping_source_schema: unknown
  mapping_mappings: unknown
  mapping_transformations: unknown
  mapping_timestamp_field: string | null
  mapping_version: number | null
  mapping_updated_at: Date | null
}
export type MappingRow = Selectable<DB['ingest.data_mappings']>
export interface PipelineDataRow {
  id: string
  data: unknown
  ingested_at: Date
  record_time: Date
}

function pipelinesQuery(db: Db, orgId: string) {
  return db
    .selectFrom('ingest.pipelines as p')
    .leftJoin('ingest.data_mappings as m', (join) => join.onRef('m.pipeline_id', '=', 'p.id').on('m.organization_id', '=', orgId))
    .selectAll('p')
    .select([
      'm.source_schema as mapping_source_schema',
      'm.mappings as mapping_mappings',
      'm.transformations as mapping_transformations',
      'm.timestamp_field as mapping_timestamp_field',
      'm.version as mapping_version',
      'm.updated_at as mapping_updated_at',
    ])
    .select((eb) =>
      eb.selectFrom('ingest.pipeline_sinks as s').select(eb.fn.countAll<string>().as('n')).whereRef('s.pipeline_id', '=', 'p.id').where('s.organization_id', '=', orgId).as('sink_count'),
    )
    .where('p.organization_id', '=', orgId)
}

export async function listPipelines(db: Db, orgId: string): Promise<PipelineRow[]> {
  const rows = await pipelinesQuery(db, orgId).orderBy('p.created_at', 'desc').orderBy('p.id').execute()
  return rows.map((row) => ({ ...row, sink_count: row.sink_count ?? '0' }))
}

export async function findPipeline(db: Db, orgId: string, pipelineId: string): Promise<PipelineRow | undefined> {
  const row = await pipelinesQuery(db, orgId).where('p.id', '=', pipelineId).executeTakeFirst()
  return row && { ...row, sink_count: row.sink_count ?? '0' }
}

export async function insertPipeline(db: Db, values: Insertable<DB['ingest.pipelines']>): Promise<void> {
  await db.insertInto('ingest.pipelines').values(values).execute()
}

export async function updatePipeline(db: Db, orgId: string, pipelineId: string, values: Updateable<DB['ingest.pipelines']>): Promise<boolean> {
  const result = await db.updateTable('ingest.pipelines').set(values).where('organization_id', '=', orgId).where('id', '=', pipelineId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function deletePipeline(db: Db, orgId: string, pipelineId: string): Promise<boolean> {
  const result = await db.deleteFrom('ingest.pipelines').where('organization_id', '=', orgId).where('id', '=', pipelineId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/**
 * pipeline_data has no foreign key to pipelines (a per-row FK check would slow every ingest
 * batch), so deleting a pipeline deletes its rows here, raw and compressed. Returns the bytes
 * they counted for.
 */
export async function deletePipelineData(db: Db, orgId: string, pipelineId: string): Promise<number> {
  const { rows } = await sql<{ bytes: string | null }>`
    with gone as (
      delete from ingest.pipeline_data where organization_id = ${orgId} and pipeline_id = ${pipelineId}
      returning pg_column_size(data) as n)
    select sum(n)::text as bytes from gone`.execute(db)
  return Number(rows[0]?.bytes ?? 0) + (await deletePipelineSegments(db, orgId, pipelineId))
}

export async function upsertMapping(db: Db, values: { orgId: string; pipelineId: string; sourceSchema: unknown; mappings: unknown; transformations: unknown; timestampField: string | null }): Promise<void> {
  const json = (value: unknown) => JSON.stringify(value ?? null)
  await sql`
    insert into ingest.data_mappings (organization_id, pipeline_id, source_schema, mappings, transformations, timestamp_field)
    values (${values.orgId}, ${values.pipelineId}, ${json(values.sourceSchema ?? {})}::jsonb, ${json(values.mappings)}::jsonb,
            ${json(values.transformations)}::jsonb, ${values.timestampField})
    on conflict (pipeline_id) do update
      set source_schema = excluded.source_schema, mappings = excluded.mappings, transformations = excluded.transformations,
          timestamp_field = excluded.timestamp_field, version = ingest.data_mappings.version + 1`.execute(db)
}

export async function deleteMapping(db: Db, orgId: string, pipelineId: string): Promise<boolean> {
  const result = await db.deleteFrom('ingest.data_mappings').where('organization_id', '=', orgId).where('pipeline_id', '=', pipelineId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function dataSourceExists(db: Db, orgId: string, dataSourceId: string): Promise<string | undefined> {
  const row = await db.selectFrom('app.data_sources').select('type').where('organization_id', '=', orgId).where('id', '=', dataSourceId).executeTakeFirst()
  return row?.type
}

export async function teamExists(db: Db, orgId: string, teamId: string): Promise<boolean> {
  const row = await db.selectFrom('app.teams').select('id').where('organization_id', '=', orgId).where('id', '=', teamId).executeTakeFirst()
  return row !== undefined
}

/**
 * Rows of one pipeline between two instants, newest first, raw and compressed alike
 * (stored-rows.ts). The bounds are always given, so the planner keeps only the partitions they
 * cover (ingested_at is the partition key; record_time ranges use the day summaries).
 */
export async function listPipelineData(
  db: Db,
  orgId: string,
  pipelineId: string,
  range: { from: Date; to: Date; limit: number; timeField: 'ingested_at' | 'record_time' },
): Promise<PipelineDataRow[]> {
  return newestRows(db, orgId, pipelineId, { from: range.from.toISOString(), to: range.to.toISOString(), limit: range.limit, timeField: range.timeField })
}
