import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { TestDatabase } from './database.ts'

export interface ChildWorker {
  process: ChildProcess
  workerId: string
  /** Everything the child printed so far (stdout and stderr). */
  output: () => string
}

/**
 * Starts a job-runner fixture (test/fixtures/*.ts) in a child process on the test database and
 * resolves once it prints `TEST_EVENT ready <workerId>`: the tests then kill it with SIGKILL.
 */
export function startChildWorker(fixture: string, testDb: TestDatabase, timeoutMs = 60_000): Promise<ChildWorker> {
  const proc = spawn(process.execPath, ['--import', 'tsx/esm', path.resolve('test/fixtures', fixture)], {
    env: { ...process.env, TEST_OWNER_URL: testDb.ownerUrl, TEST_RUNTIME_URL: testDb.runtimeUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), timeoutMs)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`worker exited early with ${code}:\n${output}`))
    })
    proc.stdout.on('data', () => {
      const match = /TEST_EVENT ready (\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        proc.removeAllListeners('exit')
        resolve({ process: proc, workerId: match[1], output: () => output })
      }
    })
  })
}

/** Polls fn until it returns something other than undefined (never a fixed sleep in a test). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) {
      return value
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
