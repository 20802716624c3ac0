import { randomUUID } from 'node:crypto'
import { A_ACTIVE, DENIED, NEW, all, each, only, type Query, type TableSpec } from './policy-matrix.dsl.ts'
import { USER_ACTORS, type Fixture } from './policy-matrix.fixture.ts'
import { INGEST_VIEWS } from './policy-matrix.ingest-fixture.ts'

/**
 * Data-in tables (issue 3): data sources, pipelines and what hangs off them, pushed data,
 * ingestion jobs, idempotency keys and the workflow tables. They share 0050's policies:
 * every active member reads, owners, admins and members write, viewers don't, and nobody
 * reaches another organization. Each gets the same six statements; rows are labelled by
 * organization (A, B).
 */

const WRITERS = ['aOwner', 'aAdmin', 'aMember'] as const
export type Org = 'A' | 'B'

/** The insert of one new row of the table into an organization, `returning <id> as id`. */
type NewRow = (f: Fixture, org: Org) => Query

export interface TenantTable {
  table: string
  idColumn?: string
  newRow: NewRow
}

export const orgId = (f: Fixture, org: Org) => (org === 'A' ? f.orgA : f.orgB)
const unique = () => randomUUID().slice(0, 8)

const TABLES: TenantTable[] = [
  {
    table: 'app.data_sources',
    newRow: (f, org) => ({ text: "insert into app.data_sources (organization_id, name, type) values ($1, $2, 'api') returning id::text as id", values: [orgId(f, org), `source ${unique()}`] }),
  },
  {
    table: 'app.data_source_files',
    newRow: (f, org) => ({
      text: "insert into app.data_source_files (organization_id, data_source_id, name, size_bytes, sha256, row_count, content) values ($1, $2, 'new.csv', 1, repeat('0', 64), 0, '\\x00') returning id::text as id",
      values: [orgId(f, org), f.id('app.data_sources', org)],
    }),
  },
  {
    table: 'ingest.pipelines',
    newRow: (f, org) => ({ text: "insert into ingest.pipelines (organization_id, name, type) values ($1, $2, 'realtime') returning id::text as id", values: [orgId(f, org), `pipeline ${unique()}`] }),
  },
  {
    table: 'ingest.pipeline_sinks',
    newRow: (f, org) => ({ text: "insert into ingest.pipeline_sinks (organization_id, pipeline_id, sink_type) values ($1, $2, 'webhook') returning id::text as id", values: [orgId(f, org), f.id('ingest.pipelines', org)] }),
  },
  {
    table: 'ingest.sink_deliveries',
    newRow: (f, org) => ({
      text: `insert into ingest.sink_deliveries (organization_id, pipeline_id, sink_id, payload, record_count) values ($1, $2, $3, '[{"n": 1}]', 1) returning id::text as id`,
      values: [orgId(f, org), f.id('ingest.pipelines', org), f.id('ingest.pipeline_sinks', org)],
    }),
  },
  {
    // One mapping per pipeline: the statement brings its own new pipeline.
    table: 'ingest.data_mappings',
    newRow: (f, org) => ({
      text: `with p as (insert into ingest.pipelines (organization_id, name, type) values ($1, $2, 'realtime') returning id, organization_id)
             insert into ingest.data_mappings (organization_id, pipeline_id) select organization_id, id from p returning id::text as id`,
      values: [orgId(f, org), `mapped ${unique()}`],
    }),
  },
  {
    table: 'ingest.pipeline_data',
    newRow: (f, org) => ({ text: 'insert into ingest.pipeline_data (organization_id, pipeline_id, data) values ($1, $2, \'{"n": 1}\') returning id::text as id', values: [orgId(f, org), f.id('ingest.pipelines', org)] }),
  },
  {
    table: 'ingest.data_ingestion_jobs',
    newRow: (f, org) => ({ text: "insert into ingest.data_ingestion_jobs (organization_id, pipeline_id, job_type) values ($1, $2, 'real_time') returning id::text as id", values: [orgId(f, org), f.id('ingest.pipelines', org)] }),
  },
  {
    table: 'ingest.idempotency_keys',
    idColumn: 'idempotency_key',
    newRow: (f, org) => ({
      text: "insert into ingest.idempotency_keys (organization_id, pipeline_id, idempotency_key, request_hash, status) values ($1, $2, $3, 'h', 'completed') returning idempotency_key::text as id",
      values: [orgId(f, org), f.id('ingest.pipelines', org), `key-${unique()}`],
    }),
  },
  {
    table: 'ingest.workflows',
    newRow: (f, org) => ({ text: 'insert into ingest.workflows (organization_id, name) values ($1, $2) returning id::text as id', values: [orgId(f, org), `workflow ${unique()}`] }),
  },
  {
    table: 'ingest.workflow_executions',
    newRow: (f, org) => ({ text: 'insert into ingest.workflow_executions (organization_id, workflow_id, run_number) values ($1, $2, 1000) returning id::text as id', values: [orgId(f, org), f.id('ingest.workflows', org)] }),
  },
  {
    table: 'ingest.execution_stages',
    newRow: (f, org) => ({
      text: "insert into ingest.execution_stages (organization_id, execution_id, stage_name, stage_type, stage_order) values ($1, $2, 'new', 'processing', 1000) returning id::text as id",
      values: [orgId(f, org), f.id('ingest.workflow_executions', org)],
    }),
  },
  {
    table: 'ingest.fetching_history',
    newRow: (f, org) => ({ text: 'insert into ingest.fetching_history (organization_id, pipeline_id) values ($1, $2) returning id::text as id', values: [orgId(f, org), f.id('ingest.pipelines', org)] }),
  },
  {
    table: 'ingest.processing_history',
    newRow: (f, org) => ({ text: 'insert into ingest.processing_history (organization_id, pipeline_id) values ($1, $2) returning id::text as id', values: [orgId(f, org), f.id('ingest.pipelines', org)] }),
  },
  {
    table: 'ingest.fetched_contents',
    newRow: (f, org) => ({
      text: 'insert into ingest.fetched_contents (organization_id, fetching_id, pipeline_id) values ($1, $2, $3) returning id::text as id',
      values: [orgId(f, org), f.id('ingest.fetching_history', org), f.id('ingest.pipelines', org)],
    }),
  },
  {
    table: 'ingest.data_quality_checks',
    newRow: (f, org) => ({
      text: "insert into ingest.data_quality_checks (organization_id, pipeline_id, name, check_type, check_config) values ($1, $2, $3, 'freshness', '{\"maxAgeMinutes\": 5}') returning id::text as id",
      values: [orgId(f, org), f.id('ingest.pipelines', org), `check ${unique()}`],
    }),
  },
  {
    table: 'ingest.data_quality_results',
    newRow: (f, org) => ({
      text: "insert into ingest.data_quality_results (organization_id, check_id, pipeline_id, trigger, passed, result) values ($1, $2, $3, 'manual', true, '{}') returning id::text as id",
      values: [orgId(f, org), f.id('ingest.data_quality_checks', org), f.id('ingest.pipelines', org)],
    }),
  },
  {
    // One row per pipeline and hour: the statement brings its own new pipeline.
    table: 'ingest.pipeline_data_hourly',
    idColumn: 'pipeline_id',
    newRow: (f, org) => ({
      text: `with p as (insert into ingest.pipelines (organization_id, name, type) values ($1, $2, 'realtime') returning id, organization_id)
             insert into ingest.pipeline_data_hourly (organization_id, pipeline_id, bucket, record_count, total_bytes)
             select organization_id, id, date_trunc('hour', now()), 1, 10 from p returning pipeline_id::text as id`,
      values: [orgId(f, org), `rolled up ${unique()}`],
    }),
  },
  {
    // Records per pipeline and record hour (0350): the statement brings its own new pipeline.
    table: 'ingest.pipeline_record_hours',
    idColumn: 'pipeline_id',
    newRow: (f, org) => ({
      text: `with p as (insert into ingest.pipelines (organization_id, name, type) values ($1, $2, 'realtime') returning id, organization_id)
             insert into ingest.pipeline_record_hours (organization_id, pipeline_id, hour, record_count)
             select organization_id, id, date_trunc('hour', now()), 1 from p returning pipeline_id::text as id`,
      values: [orgId(f, org), `record hours ${unique()}`],
    }),
  },
  {
    // Compressed days of pipeline_data (0140): one row per pipeline, day and chunk; the statement brings its own new pipeline.
    table: 'ingest.pipeline_data_segments',
    idColumn: 'pipeline_id',
    newRow: (f, org) => ({
      text: `with p as (insert into ingest.pipelines (organization_id, name, type) values ($1, $2, 'realtime') returning id, organization_id)
             insert into ingest.pipeline_data_segments (organization_id, pipeline_id, day, seq, row_count, first_ingested_at, last_ingested_at,
               min_record_time, max_record_time, first_id, data_bytes, id_deltas, ingested_deltas, record_offsets, job_ids, data)
             select organization_id, id, current_date - 400, 0, 1, now(), now(), now(), now(), 1, 10, '{0}', '{0}', '{0}', '{NULL}', array['{"n": 1}'::jsonb]
               from p returning pipeline_id::text as id`,
      values: [orgId(f, org), `compressed ${unique()}`],
    }),
  },
  {
    // Record-time ranges of closed days (0141): one row per pipeline and day; the statement brings its own new pipeline.
    table: 'ingest.pipeline_data_days',
    idColumn: 'pipeline_id',
    newRow: (f, org) => ({
      text: `with p as (insert into ingest.pipelines (organization_id, name, type) values ($1, $2, 'realtime') returning id, organization_id)
             insert into ingest.pipeline_data_days (organization_id, pipeline_id, day, row_count, min_record_time, max_record_time)
             select organization_id, id, current_date - 1, 1, now(), now() from p returning pipeline_id::text as id`,
      values: [orgId(f, org), `summarized ${unique()}`],
    }),
  },
]


/** The six statements every standard tenant table (ops.apply_tenant_policies) is held to. */
export function tenantTable({ table, idColumn = 'id', newRow }: TenantTable): TableSpec {
  return {
    table,
    idColumn,
    statements: [
      { name: 'select', sql: () => ({ text: `select ${idColumn}::text as id from ${table}` }), expect: only(each(A_ACTIVE, ['A'])) },
      { name: 'insert a row into A', sql: (f) => newRow(f, 'A'), expect: only(each(WRITERS, [NEW]), DENIED) },
      { name: 'insert a row into B (a foreign organization)', sql: (f) => newRow(f, 'B'), expect: all(DENIED) },
      {
        name: 'update every row',
        sql: () => ({ text: `update ${table} set organization_id = organization_id returning ${idColumn}::text as id` }),
        expect: only(each(WRITERS, ['A'])),
      },
      {
        name: "move A's row to organization B",
        sql: (f) => ({ text: `update ${table} set organization_id = $1 where ${idColumn}::text = $2 returning ${idColumn}::text as id`, values: [f.orgB, f.id(table, 'A')] }),
        expect: only(each(WRITERS, DENIED)),
      },
      { name: 'delete every row', sql: () => ({ text: `delete from ${table} returning ${idColumn}::text as id` }), expect: only(each(WRITERS, ['A'])) },
    ],
  }
}

export const INGEST_TABLES: TableSpec[] = [
  ...TABLES.map(tenantTable),
  ...INGEST_VIEWS.map((view) => ({
    table: view,
    idColumn: 'organization_id',
    statements: [{ name: 'select', sql: () => ({ text: `select organization_id::text as id from ${view}` }), expect: only(each(A_ACTIVE, ['A'])) }],
  })),
  {
    table: 'ingest.workflow_templates',
    statements: [
      // Instance-wide templates: anyone signed in reads them; nobody writes them through the runtime role.
      { name: 'select', sql: () => ({ text: 'select id::text from ingest.workflow_templates' }), expect: only(each(USER_ACTORS, ['template'])) },
      {
        name: 'insert a template',
        sql: () => ({ text: "insert into ingest.workflow_templates (name, template_name) values ('New', $1) returning id::text", values: [`new-${unique()}`] }),
        expect: all(DENIED),
      },
      { name: 'update every template', sql: () => ({ text: "update ingest.workflow_templates set description = 'changed' returning id::text" }), expect: all(DENIED) },
      { name: 'delete every template', sql: () => ({ text: 'delete from ingest.workflow_templates returning id::text' }), expect: all(DENIED) },
    ],
  },
]
