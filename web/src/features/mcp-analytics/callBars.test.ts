import { describe, expect, it } from 'vitest'
import { HOUR_MS, callBars, p95Bars } from './callBars.ts'

const at = (iso: string) => new Date(iso).toISOString()

describe(callBars.name, () => {
  const hourly = [
    { hour: at('2026-12-05T10:00:00Z'), tool: 'list_metrics', calls: 5, failed: 1 },
    { hour: at('2026-12-05T10:00:00Z'), tool: 'query_metric', calls: 2, failed: 2 },
    { hour: at('2026-12-05T12:00:00Z'), tool: 'list_metrics', calls: 1, failed: 0 },
  ]

  it('makes one bar per hour of the window, empty hours included, succeeded and failed apart', () => {
    const { step, bars } = callBars({ from: at('2026-12-05T09:30:00Z'), to: at('2026-12-05T12:10:00Z'), hourly }, '')
    expect(step).toBe(HOUR_MS)
    expect(bars.map((bar) => bar.values)).toEqual([{ ok: 0, failed: 0 }, { ok: 4, failed: 3 }, { ok: 0, failed: 0 }, { ok: 1, failed: 0 }])
    expect(bars[1]!.description).toMatch(/7 calls, 3 failed$/)
  })

  it("keeps one tool's calls when asked", () => {
    const { bars } = callBars({ from: at('2026-12-05T10:00:00Z'), to: at('2026-12-05T11:00:00Z'), hourly }, 'query_metric')
    expect(bars.map((bar) => bar.values)).toEqual([{ ok: 0, failed: 2 }])
  })

  it('sums whole days beyond two days', () => {
    const { step, bars } = callBars({ from: at('2026-12-01T10:00:00Z'), to: at('2026-12-05T13:00:00Z'), hourly }, '')
    expect(step).toBe(24 * HOUR_MS)
    expect(bars).toHaveLength(5)
    expect(bars.at(-1)!.values).toEqual({ ok: 5, failed: 3 })
  })
})

describe(p95Bars.name, () => {
  const hourly = [
    { hour: at('2026-12-05T10:00:00Z'), tool: 'list_metrics', p95Ms: 120 },
    { hour: at('2026-12-05T10:00:00Z'), tool: 'query_metric', p95Ms: 900 },
    { hour: at('2026-12-05T12:00:00Z'), tool: 'list_metrics', p95Ms: null },
  ]

  it("shows the slowest tool's p95 of each hour, or one tool's", () => {
    const all = p95Bars({ from: at('2026-12-05T10:00:00Z'), to: at('2026-12-05T12:10:00Z'), hourly }, '')
    expect(all.bars.map((bar) => bar.values.p95)).toEqual([900, 0, 0])
    expect(all.bars[1]!.description).toMatch(/no calls$/)
    const one = p95Bars({ from: at('2026-12-05T10:00:00Z'), to: at('2026-12-05T11:00:00Z'), hourly }, 'list_metrics')
    expect(one.bars[0]!.description).toMatch(/p95 120 ms$/)
  })
})
