import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for the browser and for background work; 1 s (the default) is too short
    // on a loaded 2-core CI machine, where a page may take a few seconds to react.
    expect: { poll: { timeout: 10_000 } },
    // Each file gets its own database cloned from a migrated template, so files run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx'],
  },
})
