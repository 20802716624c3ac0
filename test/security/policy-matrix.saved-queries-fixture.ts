/** Fixture rows of policy-matrix.saved-queries.ts (kept apart: the fixture imports this, not the specs). */

type Insert = (table: string, label: string, text: string, values: unknown[], idExpr?: string) => Promise<string>

/** One saved query and one cached result in each organization, labelled A and B (on the ingest fixture's sources). */
export async function createSavedQueryRows(insert: Insert, f: { orgA: string; orgB: string; sourceId: (org: 'A' | 'B') => string }): Promise<void> {
  for (const org of ['A', 'B'] as const) {
    const o = org === 'A' ? f.orgA : f.orgB
    const query = await insert('app.queries', org, "insert into app.queries (organization_id, data_source_id, name, query_text) values ($1, $2, $3, 'select 1')", [o, f.sourceId(org), `Query ${org}`])
    await insert(
      'app.saved_query_results',
      org,
      "insert into app.saved_query_results (organization_id, query_id, cache_key, result_data, expires_at) values ($1, $2, $3, '{}', now() + interval '1 hour')",
      [o, query, `key-${org}`],
    )
  }
}
