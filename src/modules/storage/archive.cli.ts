import path from 'node:path'
import type { Config } from '../../platform/config.ts'
import { listArchives, readArchive } from './archive.ts'

/** `tessera archive list` and `tessera archive read <file>`: no database needed. */

export async function archiveList(config: Config, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const archives = await listArchives(config.archiveDir)
  if (archives.length === 0) {
    out.write(`no archives in ${config.archiveDir}\n`)
    return
  }
  for (const a of archives) {
    out.write(`${a.created}  ${a.table}  ${a.partition}  rows=${a.rows}  ${a.rangeStart ?? ''}..${a.rangeEnd ?? ''}  ${path.relative(process.cwd(), a.path)}\n`)
  }
}

/** Prints the rows as NDJSON after checking the file against its manifest. */
export async function archiveRead(config: Config, file: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  // A bare name is looked up among the archives (they sit in one folder per table).
  const resolved = path.isAbsolute(file) || file.includes(path.sep)
    ? path.resolve(file)
    : (await listArchives(config.archiveDir)).find((a) => path.basename(a.path) === file)?.path ?? path.join(config.archiveDir, file)
  for await (const row of readArchive(resolved)) {
    out.write(`${JSON.stringify(row)}\n`)
  }
}
