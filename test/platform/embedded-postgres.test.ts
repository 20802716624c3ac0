import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres } from '../../src/platform/embedded-postgres.ts'

const home = mkdtempSync(path.join(tmpdir(), 'tessera-embedded-'))
chmodSync(home, 0o755)
afterAll(() => rmSync(home, { recursive: true, force: true }))

/** Starts the embedded PostgreSQL in a child Node process and resolves with its admin URL once it answers. */
function startInChild() {
  const script = `
    import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve('src/platform/embedded-postgres.ts'))}
    const handle = await startEmbeddedPostgres(${JSON.stringify(home)})
    console.log('URL ' + handle.adminUrl)
    setInterval(() => undefined, 1000)`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /URL (\S+)/.exec(output)
      if (match) resolve(match[1]!)
    })
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before PostgreSQL answered:\n${output}`)))
  })
  return { child, url }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return (await client.query('select 1 as one')).rows[0].one === 1
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

describe('embedded PostgreSQL', () => {
  it('starts again after the Tessera that ran it was killed with SIGKILL, stopping the PostgreSQL it left behind', async () => {
    const { child, url } = startInChild()
    const firstUrl = await url
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    // The orphan still runs and holds the data directory.
    expect(await answers(firstUrl)).toBe(true)
    const orphanPid = Number(readFileSync(path.join(home, 'postgres/data/postmaster.pid'), 'utf8').split('\n')[0])

    const handle = await startEmbeddedPostgres(home)
    try {
      expect(await answers(handle.adminUrl)).toBe(true)
      expect(handle.owned).toBe(true)
      const pid = Number(readFileSync(path.join(home, 'postgres/data/postmaster.pid'), 'utf8').split('\n')[0])
      expect(pid).not.toBe(orphanPid)
    } finally {
      await handle.stop()
    }
  }, 120_000)
})
