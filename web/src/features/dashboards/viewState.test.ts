import { describe, expect, it } from 'vitest'
import { RANGE_PRESETS, parseViewState, resolveRange, withFilter, writeViewState } from './viewState.ts'

describe('parseViewState', () => {
  it('reads a preset, live mode and dimension filters from the address', () => {
    const view = parseViewState(new URLSearchParams('range=7d&live=1&f.region=eu&f.channel=web'))
    expect(view).toEqual({ range: { kind: 'relative', preset: '7d' }, live: true, filters: { region: 'eu', channel: 'web' } })
  })

  it('reads an absolute range, and ignores one whose end is before its start', () => {
    expect(parseViewState(new URLSearchParams('from=2026-01-01T00:00:00.000Z&to=2026-01-02T00:00:00.000Z')).range).toEqual({ kind: 'absolute', from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' })
    expect(parseViewState(new URLSearchParams('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).range).toEqual({ kind: 'relative', preset: '24h' })
  })

  it('falls back to the last 24 hours for an unknown preset and skips empty filters', () => {
    expect(parseViewState(new URLSearchParams('range=3y&f.region=&f.=x'))).toEqual({ range: { kind: 'relative', preset: '24h' }, live: false, filters: {} })
  })
})

describe('writeViewState', () => {
  it('round-trips through the address and keeps unrelated parameters', () => {
    const view = { range: { kind: 'relative' as const, preset: '1h' }, live: true, filters: { region: 'eu' } }
    const params = writeViewState(new URLSearchParams('edit=1&range=24h&f.old=x'), view)
    expect(params.toString()).toBe('edit=1&range=1h&live=1&f.region=eu')
    expect(parseViewState(params)).toEqual(view)
  })

  it('writes an absolute range as from and to', () => {
    const params = writeViewState(new URLSearchParams(), { range: { kind: 'absolute', from: '2026-01-01T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z' }, live: false, filters: {} })
    expect(params.get('from')).toBe('2026-01-01T00:00:00.000Z')
    expect(params.has('range')).toBe(false)
  })
})

describe('resolveRange', () => {
  const now = new Date('2026-06-15T12:00:00.000Z')

  it('ends relative presets now', () => {
    expect(resolveRange({ kind: 'relative', preset: '15m' }, now)).toEqual({ from: '2026-06-15T11:45:00.000Z', to: '2026-06-15T12:00:00.000Z' })
    expect(resolveRange({ kind: 'relative', preset: '90d' }, now).from).toBe('2026-03-17T12:00:00.000Z')
  })

  it('offers the presets from 15 minutes to 90 days, shortest first', () => {
    expect(RANGE_PRESETS.map((preset) => preset.value)).toEqual(['15m', '1h', '6h', '24h', '7d', '30d', '90d'])
    const lengths = RANGE_PRESETS.map((preset) => preset.ms)
    expect([...lengths].sort((a, b) => a - b)).toEqual(lengths)
  })
})

describe('withFilter', () => {
  it('adds, replaces and removes a filter without changing the original', () => {
    const filters = { region: 'eu' }
    expect(withFilter(filters, 'region', 'us')).toEqual({ region: 'us' })
    expect(withFilter(filters, 'channel', 'web')).toEqual({ region: 'eu', channel: 'web' })
    expect(withFilter(filters, 'region', undefined)).toEqual({})
    expect(filters).toEqual({ region: 'eu' })
  })
})
