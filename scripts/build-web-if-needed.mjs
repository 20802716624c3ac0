#!/usr/bin/env node
// Builds the web UI (web/ → web/dist) when web/dist is missing or older than its sources,
// so `npm start` works on a fresh clone and restarts stay fast. `--force` always builds.
// Without vite installed (e.g. `npm ci --omit=dev`) it warns and leaves the API to run alone.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const web = path.join(root, 'web')
const distIndex = path.join(web, 'dist', 'index.html')
const inputs = [path.join(web, 'src'), path.join(web, 'public'), path.join(web, 'index.html'), path.join(web, 'vite.config.ts'), path.join(root, 'package-lock.json')]

function newestMtime(target) {
  if (!existsSync(target)) {
    return 0
  }
  const stat = statSync(target)
  if (!stat.isDirectory()) {
    return stat.mtimeMs
  }
  let newest = stat.mtimeMs
  for (const entry of readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)))
  }
  return newest
}

function reasonToBuild() {
  if (process.argv.includes('--force')) {
    return 'forced'
  }
  if (!existsSync(distIndex)) {
    return 'web/dist is missing'
  }
  const built = statSync(distIndex).mtimeMs
  const changed = inputs.find((input) => newestMtime(input) > built)
  return changed ? `${path.relative(root, changed)} changed since the last build` : undefined
}

// Two test files (or a test run and `npm start`) may get here at once; one builds, the
// other waits and then finds web/dist fresh. mkdir is atomic, so the directory is the lock.
const lock = path.join(web, '.build-lock')
function acquireLock() {
  const deadline = Date.now() + 180_000
  for (;;) {
    try {
      mkdirSync(lock)
      return
    } catch (error) {
      if (error.code !== 'EEXIST') {
        throw error
      }
      const age = Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs
      if (age > 300_000) {
        rmSync(lock, { recursive: true, force: true })
        continue
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for another web build (remove ${lock} if no build is running)`)
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
    }
  }
}

if (!reasonToBuild()) {
  process.stdout.write('web UI is up to date (web/dist)\n')
  process.exit(0)
}
acquireLock()
process.on('exit', () => rmSync(lock, { recursive: true, force: true }))
const reason = reasonToBuild()
if (!reason) {
  process.stdout.write('web UI is up to date (web/dist, built by another process)\n')
  process.exit(0)
}

let viteBin
try {
  const require = createRequire(import.meta.url)
  const pkgPath = require.resolve('vite/package.json', { paths: [root] })
  const pkg = require(pkgPath)
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.vite
  viteBin = path.join(path.dirname(pkgPath), bin)
} catch {
  const message = 'vite is not installed (devDependencies omitted?), so the web UI cannot be built'
  if (existsSync(distIndex)) {
    process.stderr.write(`warning: ${message}; serving the existing web/dist\n`)
    process.exit(0)
  }
  process.stderr.write(`warning: ${message}; Tessera will serve the API only. Run \`npm install\` to get the UI.\n`)
  process.exit(0)
}

process.stdout.write(`building the web UI (${reason})…\n`)
// Always the production build, whoever asks: a test runner's NODE_ENV=test would otherwise give
// web/dist React's development build, which `npm start` and the benchmarks would then serve.
const result = spawnSync(process.execPath, [viteBin, 'build', '--config', path.join(web, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
if (result.status !== 0) {
  process.stderr.write('the web UI build failed (see above)\n')
  process.exit(result.status ?? 1)
}
process.stdout.write('web UI built into web/dist\n')
