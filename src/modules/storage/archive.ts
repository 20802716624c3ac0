import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'

/**
 * Archive-before-delete: rows leaving the database for good are written to a gzip'd NDJSON
 * file (one JSON object a line) with a manifest beside it, and only then deleted. The manifest
 * says what the file holds and its SHA-256, so an archive can be checked and read back years
 * later with nothing but gunzip (or `tessera archive read`).
 */

export interface ArchiveManifest {
  format: 'ndjson+gzip'
  table: string
  partition: string
  rangeStart: string | null
  rangeEnd: string | null
  rows: number
  bytes: number
  sha256: string
  file: string
  created: string
}

export type ArchiveSubject = Pick<ArchiveManifest, 'table' | 'partition' | 'rangeStart' | 'rangeEnd'>

const MANIFEST_SUFFIX = '.manifest.json'

/** Writes lines (JSON texts) to <dir>/<name>.ndjson.gz and its manifest, both fsync'ed. */
export async function writeArchive(dir: string, subject: ArchiveSubject, lines: AsyncIterable<string>): Promise<ArchiveManifest> {
  await mkdir(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const base = `${subject.partition.replace(/[^A-Za-z0-9_.-]/g, '_')}.${stamp}`
  const file = path.join(dir, `${base}.ndjson.gz`)
  const hash = createHash('sha256')
  let rows = 0
  let bytes = 0
  const counted = Readable.from((async function* () {
    for await (const line of lines) {
      rows++
      yield `${line}\n`
    }
  })())
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      bytes += chunk.length
      callback(null, chunk)
    },
  })
  await pipeline(counted, createGzip(), hashing, createWriteStream(`${file}.tmp`))
  await fsync(`${file}.tmp`)
  await rename(`${file}.tmp`, file)
  const manifest: ArchiveManifest = { format: 'ndjson+gzip', ...subject, rows, bytes, sha256: hash.digest('hex'), file: path.basename(file), created: new Date().toISOString() }
  const manifestFile = path.join(dir, `${base}${MANIFEST_SUFFIX}`)
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`)
  await fsync(manifestFile)
  await fsync(dir)
  return manifest
}

async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Every manifest under dir (one level of subfolders too), oldest first. */
export async function listArchives(dir: string): Promise<Array<ArchiveManifest & { path: string }>> {
  const found: Array<ArchiveManifest & { path: string }> = []
  const visit = async (folder: string, depth: number) => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory() && depth < 1) {
        await visit(full, depth + 1)
      } else if (entry.name.endsWith(MANIFEST_SUFFIX)) {
        const manifest = JSON.parse(await readFile(full, 'utf8')) as ArchiveManifest
        found.push({ ...manifest, path: path.join(folder, manifest.file) })
      }
    }
  }
  await visit(dir, 0)
  return found.sort((a, b) => a.created.localeCompare(b.created))
}

/** The manifest of an archive file (file.ndjson.gz → file.manifest.json). */
export async function readManifest(file: string): Promise<ArchiveManifest> {
  const manifestFile = file.replace(/\.ndjson\.gz$/, MANIFEST_SUFFIX)
  return JSON.parse(await readFile(manifestFile, 'utf8')) as ArchiveManifest
}

/** Checks the file against its manifest's SHA-256, then yields its rows. */
export async function* readArchive(file: string): AsyncGenerator<Record<string, unknown>> {
  const manifest = await readManifest(file)
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer)
  }
  if (hash.digest('hex') !== manifest.sha256 || (await stat(file)).size !== manifest.bytes) {
    throw new Error(`${file} does not match its manifest (SHA-256 or size differ)`)
  }
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })
  for await (const line of lines) {
    if (line) {
      yield JSON.parse(line) as Record<string, unknown>
    }
  }
}
