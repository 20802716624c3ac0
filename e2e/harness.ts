import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { createTestApp, PASSWORD, type TestContext } from '../test/app.ts'

/**
 * Browser tests run the built SPA on the real server (its own database, on a loopback
 * port) in Debian's Chromium. Nothing here is mocked: the point is that the UI and the API
 * agree.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The same script `npm start` runs: builds web/dist when it is missing or stale. */
function buildWebIfNeeded(): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-web-if-needed.mjs')], { cwd: ROOT, encoding: 'utf8' })
  if (result.status !== 0 || !existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
    throw new Error(`building the web UI failed:\n${result.stdout}\n${result.stderr}`)
  }
}

export interface BrowserApp {
  ctx: TestContext
  baseUrl: string
  browser: Browser
  context: BrowserContext
  page: Page
  /** Uncaught page errors and console errors seen so far. */
  problems: string[]
  /** Saves a screenshot as test-results/screenshots/<prefix>-NN-<name>.png (full page unless `viewport`). */
  snap(name: string, options?: { viewport?: boolean }): Promise<void>
  /** Runs the journey; on failure saves <prefix>-failure.png and names the URL. */
  run(journey: () => Promise<void>): Promise<void>
  close(): Promise<void>
}

export async function startBrowserApp(prefix: string): Promise<BrowserApp> {
  buildWebIfNeeded()
  mkdirSync(SCREENSHOTS, { recursive: true })
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  // PUBLIC_URL must be the origin the browser uses: CSRF checks compare Origin with it,
  // and the links in emails (invitations, resets) are built from it.
  const ctx = await createTestApp({ env: { PUBLIC_URL: baseUrl } })
  await ctx.app.listen({ port, host: '127.0.0.1' })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 } })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    // Expected 4xx answers (GET /me signed out, a wrong password) are logged by the browser as failed loads.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${message.text()}`)
    }
  })
  let step = 0
  const snap = async (name: string, options: { viewport?: boolean } = {}) => {
    step++
    if (!options.viewport) {
      // Full-page captures of a scrolled page draw the sticky top bar mid-page.
      await page.evaluate(() => window.scrollTo(0, 0))
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, `${prefix}-${String(step).padStart(2, '0')}-${name}.png`), fullPage: !options.viewport })
  }
  return {
    ctx,
    baseUrl,
    browser,
    context,
    page,
    problems,
    snap,
    async run(journey) {
      try {
        await journey()
      } catch (error) {
        await page.screenshot({ path: path.join(SCREENSHOTS, `${prefix}-failure.png`), fullPage: true }).catch(() => undefined)
        throw new Error(`${(error as Error).message}\n(at ${page.url()}; see test-results/screenshots/${prefix}-failure.png)`, { cause: error })
      }
    },
    async close() {
      await browser.close()
      await ctx.close()
    },
  }
}

/** Waits for the locator to show; 10 s, not expect.poll's 1 s default: a loaded CI machine can take longer to answer. */
export async function visible(locator: { isVisible(): Promise<boolean> }): Promise<void> {
  await expect.poll(() => locator.isVisible(), { timeout: 10_000 }).toBe(true)
}

export async function signOut(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `${name}: account menu` }).click()
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await page.waitForURL(/\/login/)
  await visible(page.getByRole('heading', { name: 'Sign in to Tessera' }))
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  const emailField = page.getByLabel('Email', { exact: true })
  if ((await emailField.inputValue()) !== email) {
    await emailField.fill(email)
  }
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}
