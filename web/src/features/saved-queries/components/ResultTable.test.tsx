// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunResult } from '../api.ts'
import { displayCell, ResultTable } from './ResultTable.tsx'

afterEach(cleanup)

const result = (overrides: Partial<RunResult> = {}): RunResult => ({
  columns: [{ name: 'id', type: 'integer' }, { name: 'customer', type: 'text' }, { name: 'placed_at', type: 'date' }, { name: 'total', type: 'numeric' }],
  rows: [
    { id: 1, customer: 'Acme', placed_at: '2024-03-02T00:00:00.000Z', total: '12.50' },
    { id: 2, customer: null, placed_at: '2024-03-03T00:00:00.000Z', total: '7.00' },
  ],
  rowCount: 2,
  truncated: false,
  durationMs: 14,
  cached: false,
  asOf: '2024-03-04T10:00:00.000Z',
  ...overrides,
})

describe('ResultTable', () => {
  it('shows the rows with their count and duration; nulls and dates read as such', () => {
    render(<ResultTable result={result()} />)
    expect(screen.getByRole('status').textContent).toContain('2 rows')
    expect(screen.getByRole('status').textContent).toContain('14 ms')
    expect(screen.getByText('Fresh')).toBeTruthy()
    const rows = screen.getAllByRole('row')
    expect(rows).toHaveLength(3)
    expect(within(rows[1]!).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['1', 'Acme', '2024-03-02', '12.50'])
    expect(within(rows[2]!).getAllByRole('cell')[1]!.textContent).toBe('null')
    expect(screen.queryByText(/row limit/)).toBeNull()
  })

  it('marks a cached answer and says when rows were cut at the row limit', () => {
    render(<ResultTable result={result({ cached: true, truncated: true })} />)
    expect(screen.getByText('Cached')).toBeTruthy()
    expect(screen.getByText(/Only the first 2 rows are shown/).textContent).toContain('row limit')
  })

  it('says when the query returned nothing instead of drawing an empty table', () => {
    render(<ResultTable result={result({ rows: [], rowCount: 0 })} />)
    expect(screen.getByText('The query returned no rows.')).toBeTruthy()
    expect(screen.queryByRole('table')).toBeNull()
  })
})

describe(displayCell.name, () => {
  it('keeps timestamps that are not dates, and JSON as JSON', () => {
    expect(displayCell('2024-03-02T10:00:00.000Z', 'date')).toBe('2024-03-02T10:00:00.000Z')
    expect(displayCell('2024-03-02T00:00:00.000Z', 'timestamptz')).toBe('2024-03-02T00:00:00.000Z')
    expect(displayCell({ a: 1 }, 'jsonb')).toBe('{"a":1}')
    expect(displayCell(true, 'boolean')).toBe('true')
  })
})
