import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { findPipeline, listPipelineData } from './pipelines.repository.ts'
import type { DataQuery, DataResponse } from './pipelines.schema.ts'

const DAY_MS = 24 * 60 * 60 * 1000

/** Stored rows of a pipeline in [from, to) (default: the last 24 hours), newest first. */
export async function listData(db: Db, actor: OrgActor, pipelineId: string, query: DataQuery): Promise<DataResponse> {
  if (!(await findPipeline(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  const to = query.to ? new Date(query.to) : new Date()
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS)
  if (from.getTime() >= to.getTime()) {
    throw new AppError('validation_failed', 400, 'querystring.from must be before querystring.to', { details: [{ field: 'querystring.from', message: 'must be before to' }] })
  }
  const rows = await listPipelineData(db, actor.orgId, pipelineId, {
    from,
    to,
    limit: query.limit ?? 100,
    timeField: query.timeField === 'recordTime' ? 'record_time' : 'ingested_at',
  })
  return {
    rows: rows.map((row) => ({ id: row.id, data: row.data, ingestedAt: row.ingested_at.toISOString(), recordTime: row.record_time.toISOString() })),
    from: from.toISOString(),
    to: to.toISOString(),
  }
}
