import { spawn } from 'node:child_process'
import path from 'node:path'
import { TEST_SECRET_KEY } from '../secret.ts'

export const TESSERA_BIN = path.resolve('bin/tessera.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

interface CliOptions {
  databaseUrl: string
  home: string
  /** Variables to add, or to remove (undefined). */
  env?: Record<string, string | undefined>
}

/** A clean environment for the CLI: nothing of the test runner's own variables leaks into it. */
export function tesseraEnv(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    DATABASE_URL: options.databaseUrl,
    TESSERA_HOME: options.home,
    NODE_ENV: 'development',
    TESSERA_SECRET_KEY: TEST_SECRET_KEY.toString('utf8'),
    LOG_LEVEL: 'warn',
    ...options.env,
  }
  for (const key of Object.keys(env)) {
    if (env[key] === undefined) delete env[key]
  }
  return env
}

/** `bin/tessera.js <args>` against a test database, killed after timeoutMs. */
export function runTessera(args: string[], options: CliOptions & { timeoutMs: number }): Promise<CliResult> {
  const child = spawn(process.execPath, [TESSERA_BIN, ...args], { env: tesseraEnv(options), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`tessera ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`))
    }, options.timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
