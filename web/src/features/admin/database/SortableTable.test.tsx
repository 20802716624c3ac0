// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { SortableTable, sortRows, type SortableColumn } from './SortableTable.tsx'

interface Row {
  name: string
  size: number | null
}

const columns: Array<SortableColumn<Row>> = [
  { header: 'Name', cell: (r) => r.name, sortValue: (r) => r.name },
  { header: 'Size', numeric: true, cell: (r) => String(r.size ?? '—'), sortValue: (r) => r.size },
  { header: 'Note', cell: () => 'x' },
]
const rows: Row[] = [
  { name: 'b', size: 2 },
  { name: 'a', size: null },
  { name: 'c', size: 10 },
]

afterEach(cleanup)

describe('sortRows', () => {
  it('sorts numbers and text either way, unknown values last both ways', () => {
    expect(sortRows(rows, columns[1], true).map((r) => r.name)).toEqual(['c', 'b', 'a'])
    expect(sortRows(rows, columns[1], false).map((r) => r.name)).toEqual(['b', 'c', 'a'])
    expect(sortRows(rows, columns[0], false).map((r) => r.name)).toEqual(['a', 'b', 'c'])
    // A column without sortValue keeps the order it was given.
    expect(sortRows(rows, columns[2], true)).toBe(rows)
  })
})

describe('SortableTable', () => {
  const names = () => within(screen.getByRole('table', { name: 'Things' })).getAllByRole('row').slice(1).map((row) => row.firstChild?.textContent)

  it('sorts by a heading, reverses on a second click, and shows the rest on request', () => {
    render(<SortableTable label="Things" rows={rows} columns={columns} rowKey={(r) => r.name} initialSort={{ header: 'Name', descending: false }} limit={2} empty="none" />)
    expect(names()).toEqual(['a', 'b'])
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending')
    // Figures sort largest first on the first click.
    fireEvent.click(screen.getByRole('button', { name: 'Size' }))
    expect(names()).toEqual(['c', 'b'])
    expect(screen.getByRole('columnheader', { name: /Size/ }).getAttribute('aria-sort')).toBe('descending')
    fireEvent.click(screen.getByRole('button', { name: /Size/ }))
    expect(names()).toEqual(['b', 'c'])
    fireEvent.click(screen.getByRole('button', { name: 'Show all 3' }))
    expect(names()).toEqual(['b', 'c', 'a'])
    // The column without a sort value has a plain heading.
    expect(within(screen.getByRole('columnheader', { name: 'Note' })).queryByRole('button')).toBeNull()
  })

  it('shows the empty state without rows', () => {
    render(<SortableTable label="Things" rows={[]} columns={columns} rowKey={(r) => r.name} initialSort={{ header: 'Name', descending: false }} empty="Nothing here" />)
    expect(screen.getByText('Nothing here')).toBeTruthy()
    expect(screen.queryByRole('table')).toBeNull()
  })
})
