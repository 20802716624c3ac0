import { randomUUID } from 'node:crypto'
import type { TableSpec } from './policy-matrix.dsl.ts'
import { orgId, tenantTable, type TenantTable } from './policy-matrix.ingest.ts'
import { memberTable } from './policy-matrix.time-series.ts'

/**
 * Saved queries (issue 5, db/migrations/0210). app.queries takes the standard tenant policies
 * (owners, admins and members write SQL; viewers read). Their cached results are written by
 * every active member, viewers included: running a saved query (which viewers may) fills the
 * cache, as the series cache does.
 */

const unique = () => randomUUID().slice(0, 8)

const QUERIES: TenantTable = {
  table: 'app.queries',
  newRow: (f, org) => ({
    text: "insert into app.queries (organization_id, data_source_id, name, query_text) values ($1, $2, $3, 'select 2') returning id::text as id",
    values: [orgId(f, org), f.id('app.data_sources', org), `query ${unique()}`],
  }),
}

const RESULTS: TenantTable = {
  table: 'app.saved_query_results',
  newRow: (f, org) => ({
    text: "insert into app.saved_query_results (organization_id, query_id, cache_key, result_data, expires_at) values ($1, $2, $3, '{}', now()) returning id::text as id",
    values: [orgId(f, org), f.id('app.queries', org), `key-${unique()}`],
  }),
}

export const SAVED_QUERY_TABLES: TableSpec[] = [tenantTable(QUERIES), memberTable(RESULTS)]
