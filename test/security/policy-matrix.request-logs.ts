import { DENIED, all, only, type TableSpec } from './policy-matrix.dsl.ts'

const ID = 'id::text as id'
const insertRow = (org: string | null) => ({
  text: `insert into telemetry.request_logs (organization_id, request_id, method, path, response_status_code, duration_ms, success) values ($1, gen_random_uuid()::text, 'GET', '/x', 200, 1, true) returning ${ID}`,
  values: [org],
})

/**
 * telemetry.request_logs (0270): an organization's owners and admins read its requests,
 * instance administrators every request; nobody of the runtime role writes, changes or
 * deletes one (the only writer is tessera_log_writer, checked by the catalog gate).
 */
export const REQUEST_LOG_TABLES: TableSpec[] = [
  {
    table: 'telemetry.request_logs',
    statements: [
      { name: 'select', sql: () => ({ text: `select ${ID} from telemetry.request_logs` }), expect: only({ aOwner: ['A'], aAdmin: ['A'], instanceAdmin: ['A', 'B', 'instance'] }) },
      { name: 'insert a row into A', sql: (f) => insertRow(f.orgA), expect: all(DENIED) },
      { name: 'insert an instance row (no organization)', sql: () => insertRow(null), expect: all(DENIED) },
      { name: 'update every row', sql: () => ({ text: `update telemetry.request_logs set success = success returning ${ID}` }), expect: all(DENIED) },
      { name: 'delete every row', sql: () => ({ text: `delete from telemetry.request_logs returning ${ID}` }), expect: all(DENIED) },
    ],
  },
]
