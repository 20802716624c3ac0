import type { Bar } from '../../components/BarChart.tsx'
import { formatMs, type HourlyRow } from './api.ts'

export const HOUR_MS = 3_600_000

/** Calls of the window (of one tool, or all when `tool` is '') in bars of an hour, or of a day beyond two days. */
export function callBars(summary: { from: string; to: string; hourly: Array<Pick<HourlyRow, 'hour' | 'tool' | 'calls' | 'failed'>> }, tool: string): { step: number; bars: Bar[] } {
  const from = Math.floor(Date.parse(summary.from) / HOUR_MS) * HOUR_MS
  const to = Date.parse(summary.to)
  const byHour = new Map<number, { calls: number; failed: number }>()
  for (const row of summary.hourly) {
    if (tool !== '' && row.tool !== tool) {
      continue
    }
    const hour = Date.parse(row.hour)
    const current = byHour.get(hour) ?? { calls: 0, failed: 0 }
    byHour.set(hour, { calls: current.calls + row.calls, failed: current.failed + row.failed })
  }
  const step = to - from > 2 * 24 * HOUR_MS ? 24 * HOUR_MS : HOUR_MS
  const bars: Bar[] = []
  for (let start = Math.floor(from / step) * step; start < to; start += step) {
    let calls = 0
    let failed = 0
    for (let hour = start; hour < start + step; hour += HOUR_MS) {
      calls += byHour.get(hour)?.calls ?? 0
      failed += byHour.get(hour)?.failed ?? 0
    }
    const when = new Date(start)
    const text = step === HOUR_MS ? when.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' }) : when.toLocaleDateString()
    bars.push({
      key: start,
      values: { ok: calls - failed, failed },
      description: `${text}: ${calls} calls, ${failed} failed`,
      label: bars.length % 6 === 0 ? (step === HOUR_MS ? when.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : when.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })) : undefined,
    })
  }
  return { step, bars }
}

/**
 * The p95 duration per hour (or, beyond two days, the worst hourly p95 of each day) of one tool,
 * or with every tool the slowest tool's: hourly percentiles of several tools don't combine into one.
 */
export function p95Bars(summary: { from: string; to: string; hourly: Array<Pick<HourlyRow, 'hour' | 'tool' | 'p95Ms'>> }, tool: string): { step: number; bars: Bar[] } {
  const from = Math.floor(Date.parse(summary.from) / HOUR_MS) * HOUR_MS
  const to = Date.parse(summary.to)
  const step = to - from > 2 * 24 * HOUR_MS ? 24 * HOUR_MS : HOUR_MS
  const worst = new Map<number, number>()
  for (const row of summary.hourly) {
    if ((tool !== '' && row.tool !== tool) || row.p95Ms === null) {
      continue
    }
    const start = Math.floor(Date.parse(row.hour) / step) * step
    worst.set(start, Math.max(worst.get(start) ?? 0, row.p95Ms))
  }
  const bars: Bar[] = []
  for (let start = Math.floor(from / step) * step; start < to; start += step) {
    const p95 = worst.get(start)
    const when = new Date(start)
    const text = step === HOUR_MS ? when.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' }) : when.toLocaleDateString()
    bars.push({
      key: start,
      values: { p95: p95 ?? 0 },
      description: `${text}: ${p95 === undefined ? 'no calls' : `p95 ${formatMs(p95)}`}`,
      label: bars.length % 6 === 0 ? (step === HOUR_MS ? when.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : when.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })) : undefined,
    })
  }
  return { step, bars }
}
