import type pg from 'pg'

/** Fixture rows of policy-matrix.ingest.ts (kept apart: the fixture imports this, not the specs). */

type Org = 'A' | 'B'
type Insert = (table: string, label: string, text: string, values: unknown[], idExpr?: string) => Promise<string>

/** Views over the workflow tables (security_invoker), their rows labelled by organization. */
export const INGEST_VIEWS = ['ingest.workflow_execution_summary', 'ingest.daily_execution_metrics', 'ingest.performance_metrics']

/**
 * One row of every data-in table in each organization (labelled A and B), arranged by the
 * superuser like the rest of the fixture; then the labels of the views' rows and templates.
 */
export async function createIngestRows(admin: pg.Client, insert: Insert, add: (table: string, label: string, id: string) => void, f: { orgA: string; orgB: string; owners: Record<Org, string> }): Promise<void> {
  for (const org of ['A', 'B'] as const) {
    const o = org === 'A' ? f.orgA : f.orgB
    const source = await insert('app.data_sources', org, "insert into app.data_sources (organization_id, name, type) values ($1, $2, 'api')", [o, `Source ${org}`])
    await insert('app.data_source_files', org, "insert into app.data_source_files (organization_id, data_source_id, name, size_bytes, sha256, row_count, content) values ($1, $2, 'a.csv', 1, repeat('0', 64), 1, '\\x00')", [o, source])
    const pipeline = await insert('ingest.pipelines', org, "insert into ingest.pipelines (organization_id, name, type, created_by, data_source_id) values ($1, $2, 'realtime', $3, $4)", [o, `Pipeline ${org}`, f.owners[org], source])
    const sink = await insert('ingest.pipeline_sinks', org, "insert into ingest.pipeline_sinks (organization_id, pipeline_id, sink_type) values ($1, $2, 'webhook')", [o, pipeline])
    await insert('ingest.sink_deliveries', org, `insert into ingest.sink_deliveries (organization_id, pipeline_id, sink_id, payload, record_count) values ($1, $2, $3, '[{"n": 0}]', 1)`, [o, pipeline, sink])
    await insert('ingest.data_mappings', org, 'insert into ingest.data_mappings (organization_id, pipeline_id) values ($1, $2)', [o, pipeline])
    await insert('ingest.pipeline_data', org, 'insert into ingest.pipeline_data (organization_id, pipeline_id, data) values ($1, $2, \'{"n": 0}\')', [o, pipeline])
    await insert('ingest.data_ingestion_jobs', org, "insert into ingest.data_ingestion_jobs (organization_id, pipeline_id, job_type) values ($1, $2, 'real_time')", [o, pipeline])
    await insert('ingest.idempotency_keys', org, "insert into ingest.idempotency_keys (organization_id, pipeline_id, idempotency_key, request_hash, status) values ($1, $2, $3, 'h', 'completed')", [o, pipeline, `key-${org}`], 'idempotency_key')
    const workflow = await insert('ingest.workflows', org, 'insert into ingest.workflows (organization_id, name, pipeline_id) values ($1, $2, $3)', [o, `Workflow ${org}`, pipeline])
    const execution = await insert(
      'ingest.workflow_executions',
      org,
      "insert into ingest.workflow_executions (organization_id, workflow_id, pipeline_id, run_number, status, started_at, completed_at, duration_minutes) values ($1, $2, $3, 1, 'Success', now() - interval '1 hour', now(), 60)",
      [o, workflow, pipeline],
    )
    const stage = await insert(
      'ingest.execution_stages',
      org,
      "insert into ingest.execution_stages (organization_id, execution_id, stage_name, stage_type, stage_order, status, started_at, completed_at) values ($1, $2, 'fetch', 'fetching', 1, 'Success', now() - interval '1 hour', now())",
      [o, execution],
    )
    const fetching = await insert('ingest.fetching_history', org, 'insert into ingest.fetching_history (organization_id, pipeline_id, execution_id, stage_id) values ($1, $2, $3, $4)', [o, pipeline, execution, stage])
    await insert('ingest.processing_history', org, 'insert into ingest.processing_history (organization_id, pipeline_id, fetching_id, execution_id) values ($1, $2, $3, $4)', [o, pipeline, fetching, execution])
    await insert('ingest.fetched_contents', org, 'insert into ingest.fetched_contents (organization_id, fetching_id, pipeline_id, execution_id) values ($1, $2, $3, $4)', [o, fetching, pipeline, execution])
    const check = await insert('ingest.data_quality_checks', org, "insert into ingest.data_quality_checks (organization_id, pipeline_id, name, check_type, check_config) values ($1, $2, 'Fresh', 'freshness', '{\"maxAgeMinutes\": 5}')", [o, pipeline])
    await insert('ingest.data_quality_results', org, "insert into ingest.data_quality_results (organization_id, check_id, pipeline_id, trigger, passed, result) values ($1, $2, $3, 'schedule', true, '{}')", [o, check, pipeline])
    await insert('ingest.pipeline_data_hourly', org, "insert into ingest.pipeline_data_hourly (organization_id, pipeline_id, bucket, record_count, total_bytes) values ($1, $2, date_trunc('hour', now()), 1, 10)", [o, pipeline], 'pipeline_id::text')
    await insert('ingest.pipeline_record_hours', org, "insert into ingest.pipeline_record_hours (organization_id, pipeline_id, hour, record_count) values ($1, $2, date_trunc('hour', now()), 1)", [o, pipeline], 'pipeline_id::text')
    await insert(
      'ingest.pipeline_data_segments',
      org,
      `insert into ingest.pipeline_data_segments (organization_id, pipeline_id, day, seq, row_count, first_ingested_at, last_ingested_at, min_record_time, max_record_time,
         first_id, data_bytes, id_deltas, ingested_deltas, record_offsets, job_ids, data)
       values ($1, $2, current_date - 400, 0, 1, now(), now(), now(), now(), 1, 10, '{0}', '{0}', '{0}', '{NULL}', array['{"n": 0}'::jsonb])`,
      [o, pipeline],
      'pipeline_id::text',
    )
    await insert('ingest.pipeline_data_days', org, 'insert into ingest.pipeline_data_days (organization_id, pipeline_id, day, row_count, min_record_time, max_record_time) values ($1, $2, current_date - 1, 1, now(), now())', [o, pipeline], 'pipeline_id::text')
  }
  // The views aggregate the rows above: label each of their rows by its organization.
  for (const view of INGEST_VIEWS) {
    const { rows } = await admin.query<{ org: string }>(`select organization_id::text as org from ${view}`)
    for (const row of rows) {
      add(view, row.org === f.orgA ? 'A' : row.org === f.orgB ? 'B' : `org ${row.org}`, row.org)
    }
  }
  const templates = await admin.query<{ id: string }>('select id::text from ingest.workflow_templates')
  for (const row of templates.rows) {
    add('ingest.workflow_templates', 'template', row.id)
  }
}
