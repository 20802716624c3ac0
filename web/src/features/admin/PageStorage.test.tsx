// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StorageOverview } from './api.ts'
import { formatBytes, formatDuration, formatRate, PageStorage } from './PageStorage.tsx'

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(null)).toBe('—')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 kB')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB')
  })
})

describe('formatDuration and formatRate', () => {
  it('says a lag in the two largest units and a rate as a percentage', () => {
    expect(formatDuration(42.4)).toBe('42 s')
    expect(formatDuration(185)).toBe('3 min 5 s')
    expect(formatDuration(7800)).toBe('2 h 10 min')
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59)).toBe('3 d 4 h')
    expect(formatRate(null)).toBe('—')
    expect(formatRate(0.5)).toBe('50%')
    expect(formatRate(2 / 3)).toBe('66.7%')
  })
})

const overview = (lagSeconds: number | null): StorageOverview => ({
  partitions: [],
  segments: [],
  retentionPolicies: [],
  runs: [],
  // The lag counts from the start of the current hour: rollups cover closed hours only.
  rollup: { watermark: lagSeconds === null ? null : new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - lagSeconds * 1000).toISOString(), lagSeconds },
  seriesCache: {
    periods: [
      { period: '1h', hits: 3, misses: 1, hitRate: 0.75, medianMs: 2.5, p95Ms: 40 },
      { period: '24h', hits: 0, misses: 0, hitRate: null, medianMs: null, p95Ms: null },
    ],
    entries: 4,
    liveEntries: 3,
    bytes: 2048,
  },
})

function setup(body: StorageOverview) {
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    expect(url).toBe('/api/v1/admin/storage')
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
  }))
  return render(<PageStorage />)
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('PageStorage', () => {
  it('shows the cache hit rates, query times and entries, and an up-to-date rollup without a warning', async () => {
    setup(overview(42))
    const hitRate = (await screen.findByText('Hit rate, 1 h')).closest('.stat-card') as HTMLElement
    expect(within(hitRate).getByText('75%')).toBeTruthy()
    expect(within(hitRate).getByText('3 hits · 1 miss')).toBeTruthy()
    const entries = screen.getByText('Cached entries').closest('.stat-card') as HTMLElement
    expect(within(entries).getByText('3 not expired · 2.0 kB')).toBeTruthy()
    const table = screen.getByRole('table')
    expect(within(table).getByRole('row', { name: /Last hour 3 1 75% 2.5 ms 40 ms/ })).toBeTruthy()
    expect(within(table).getByRole('row', { name: /Last 24 hours 0 0 — — —/ })).toBeTruthy()
    expect(screen.getByText('42 s')).toBeTruthy()
    expect(screen.getByText('Up to date')).toBeTruthy()
    expect(screen.queryByText(/Rollups are .* behind/)).toBeNull()
  })

  it('warns when the rollup watermark is more than five minutes old', async () => {
    setup(overview(420))
    expect(await screen.findByText('Rollups are 7 min behind')).toBeTruthy()
    expect(screen.getByText('Behind').closest('.status-badge')?.className).toContain('status-badge--warning')
  })

  it('calls a watermark at the start of the current hour up to date, however far into the hour it is', async () => {
    const startOfHour = Math.floor(Date.now() / 3_600_000) * 3_600_000
    setup({ ...overview(0), rollup: { watermark: new Date(startOfHour).toISOString(), lagSeconds: (Date.now() - startOfHour) / 1000 + 1_362 } })
    expect(await screen.findByText('Up to date')).toBeTruthy()
    expect(screen.queryByText(/Rollups are .* behind/)).toBeNull()
  })

  it('says the rollup has not started before its first run', async () => {
    setup(overview(null))
    expect(await screen.findByText('Not started')).toBeTruthy()
    expect(screen.queryByText(/Rollups are .* behind/)).toBeNull()
  })
})
