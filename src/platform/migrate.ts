import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

/**
 * Applies db/migrations/NNNN_verb_object.sql in order, each in its own transaction,
 * under a session advisory lock so that two processes starting at once never both
 * migrate. Applied files are recorded with a SHA-256 checksum; an applied file that
 * was edited afterwards is refused (fix forward with a new migration).
 */

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations')
const MIGRATION_LOCK = 727274002

export interface MigrationFile {
  version: string
  name: string
  file: string
  sql: string
  checksum: string
}

export interface MigrationStatus {
  version: string
  name: string
  state: 'applied' | 'pending' | 'modified'
  appliedAt: Date | null
}

export class MigrationError extends Error {}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort()
  const seen = new Set<string>()
  return files.map((file) => {
    const version = file.slice(0, 4)
    if (seen.has(version)) {
      throw new MigrationError(`two migrations share version ${version}`)
    }
    seen.add(version)
    const sql = readFileSync(path.join(dir, file), 'utf8')
    return { version, name: file.replace(/^\d{4}_/, '').replace(/\.sql$/, ''), file, sql, checksum: createHash('sha256').update(sql).digest('hex') }
  })
}

async function ensureTable(client: pg.Client): Promise<void> {
  // Seed 004's schema_migrations (version, description, applied_at), extended with
  // the checksum, the duration and the role that applied it.
  await client.query(`
    create schema if not exists ops;
    create table if not exists ops.schema_migrations (
      version varchar(14) primary key,
      description text,
      checksum char(64) not null,
      execution_ms integer,
      applied_by text not null default current_user,
      applied_at timestamptz not null default now()
    );`)
}

interface AppliedRow {
  version: string
  checksum: string
  applied_at: Date
}

async function appliedRows(client: pg.Client): Promise<Map<string, AppliedRow>> {
  const { rows } = await client.query<AppliedRow>('select version, checksum, applied_at from ops.schema_migrations')
  return new Map(rows.map((row) => [row.version, row]))
}

function verifyChecksums(files: MigrationFile[], applied: Map<string, AppliedRow>): void {
  for (const file of files) {
    const row = applied.get(file.version)
    if (row && row.checksum.trim() !== file.checksum) {
      throw new MigrationError(
        `migration ${file.file} was edited after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk); restore the file and add a new migration instead`,
      )
    }
  }
}

export async function migrationStatus(ownerUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationStatus[]> {
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  try {
    const exists = await client.query("select to_regclass('ops.schema_migrations') as t")
    const applied = exists.rows[0]?.t ? await appliedRows(client) : new Map<string, AppliedRow>()
    return readMigrations(dir).map((file) => {
      const row = applied.get(file.version)
      const state = !row ? 'pending' : row.checksum.trim() === file.checksum ? 'applied' : 'modified'
      return { version: file.version, name: file.name, state, appliedAt: row?.applied_at ?? null }
    })
  } finally {
    await client.end()
  }
}

/** Applies pending migrations (up to and including `until` when given: a restore stops at its backup's level); returns the versions it applied. */
export async function migrate(ownerUrl: string, options: { dir?: string; log?: (message: string) => void; until?: string } = {}): Promise<string[]> {
  const files = readMigrations(options.dir).filter((file) => options.until === undefined || file.version <= options.until)
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  const appliedNow: string[] = []
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await ensureTable(client)
      const applied = await appliedRows(client)
      verifyChecksums(files, applied)
      for (const file of files) {
        if (applied.has(file.version)) {
          continue
        }
        const started = Date.now()
        await client.query('begin')
        try {
          await client.query(file.sql)
          await client.query(
            'insert into ops.schema_migrations (version, description, checksum, execution_ms) values ($1, $2, $3, $4)',
            [file.version, file.name, file.checksum, Date.now() - started],
          )
          await client.query('commit')
        } catch (error) {
          await client.query('rollback')
          throw new MigrationError(`migration ${file.file} failed: ${(error as Error).message}`)
        }
        appliedNow.push(file.version)
        options.log?.(`applied migration ${file.file}`)
      }
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    await client.end()
  }
  return appliedNow
}
