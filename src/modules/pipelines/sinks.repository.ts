import type { Insertable, Selectable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

export type SinkRow = Selectable<DB['ingest.pipeline_sinks']>

export function listSinks(db: Db, orgId: string, pipelineId: string): Promise<SinkRow[]> {
  return db
    .selectFrom('ingest.pipeline_sinks')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export function findSink(db: Db, orgId: string, pipelineId: string, sinkId: string): Promise<SinkRow | undefined> {
  return db
    .selectFrom('ingest.pipeline_sinks')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('id', '=', sinkId)
    .executeTakeFirst()
}

export async function insertSink(db: Db, values: Insertable<DB['ingest.pipeline_sinks']>): Promise<void> {
  await db.insertInto('ingest.pipeline_sinks').values(values).execute()
}

export async function deleteSink(db: Db, orgId: string, pipelineId: string, sinkId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('ingest.pipeline_sinks')
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('id', '=', sinkId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function pipelineInOrg(db: Db, orgId: string, pipelineId: string): Promise<boolean> {
  const row = await db.selectFrom('ingest.pipelines').select('id').where('organization_id', '=', orgId).where('id', '=', pipelineId).executeTakeFirst()
  return row !== undefined
}
