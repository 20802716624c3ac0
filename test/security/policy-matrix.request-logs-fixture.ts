import type { Fixture } from './policy-matrix.fixture.ts'

type Insert = (table: string, label: string, text: string, values: unknown[]) => Promise<string>

/** One logged request of each organization (A, B) and one of no organization (instance). */
export async function createRequestLogRows(insert: Insert, f: Pick<Fixture, 'orgA' | 'orgB'>): Promise<void> {
  for (const [label, org] of [['A', f.orgA], ['B', f.orgB], ['instance', null]] as const) {
    await insert('telemetry.request_logs', label,
      "insert into telemetry.request_logs (organization_id, request_id, method, path, response_status_code, duration_ms, success) values ($1, $2, 'GET', '/api/v1/me', 200, 3, true)",
      [org, `matrix-${label}`])
  }
}
