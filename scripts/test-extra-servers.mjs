// The second half of `npm test`: the storage engine's suites (time series, compression,
// retention, rollups, jobs running beside ingest, summary views) once more on every server in
// TEST_EXTRA_DATABASE_URLS (comma-separated superuser URLs), e.g. the PostgreSQL 15 next to the
// embedded 17 in CI. Nothing to do when the variable is unset.
import { spawnSync } from 'node:child_process'

const ENGINE_SUITES = [
  'src/modules/timeseries',
  'src/modules/metrics',
  'src/modules/storage',
  'src/modules/pipeline-data',
  'src/modules/analytics-views',
  'src/modules/jobs',
  // Backup and restore (issue 6's acceptance: on the embedded PostgreSQL and on PostgreSQL 15).
  'src/modules/backup',
  'test/durability/jobs-with-ingest.test.ts',
]

const servers = (process.env.TEST_EXTRA_DATABASE_URLS ?? '').split(',').map((url) => url.trim()).filter((url) => url !== '')
for (const server of servers) {
  const { host } = new URL(server)
  console.log(`\nStorage engine suites on ${host}`)
  const run = spawnSync('npx', ['vitest', 'run', ...ENGINE_SUITES], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DATABASE_URL: server, TEST_EXTRA_DATABASE_URLS: '' },
  })
  if (run.status !== 0) {
    process.exit(run.status ?? 1)
  }
}
