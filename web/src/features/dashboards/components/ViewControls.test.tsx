// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ViewState } from '../viewState.ts'
import { ViewControls } from './ViewControls.tsx'

function setup(view: ViewState) {
  const onChange = vi.fn<(next: ViewState) => void>()
  return { user: userEvent.setup(), onChange, ...render(<ViewControls view={view} onChange={onChange} />) }
}

afterEach(cleanup)

describe('ViewControls', () => {
  const view: ViewState = { range: { kind: 'relative', preset: '24h' }, live: false, filters: { region: 'eu' } }

  it('changes the time range to a preset', async () => {
    const { user, onChange } = setup(view)
    await user.selectOptions(screen.getByRole('combobox', { name: 'Time range' }), 'Last 7 days')
    expect(onChange).toHaveBeenCalledWith({ ...view, range: { kind: 'relative', preset: '7d' } })
  })

  it('removes a filter chip and adds a new filter', async () => {
    const { user, onChange } = setup(view)
    await user.click(screen.getByRole('button', { name: 'Remove filter region' }))
    expect(onChange).toHaveBeenLastCalledWith({ ...view, filters: {} })
    await user.click(screen.getByRole('button', { name: '+ Add filter' }))
    await user.type(screen.getByRole('textbox', { name: 'Filter dimension' }), 'channel')
    await user.type(screen.getByRole('textbox', { name: 'Filter value' }), 'web')
    await user.click(screen.getByRole('button', { name: 'Apply' }))
    expect(onChange).toHaveBeenLastCalledWith({ ...view, filters: { region: 'eu', channel: 'web' } })
  })

  it('turns live mode on with a window ending now', async () => {
    const { user, onChange } = setup({ ...view, range: { kind: 'absolute', from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' } })
    await user.click(screen.getByRole('button', { name: 'Live' }))
    expect(onChange).toHaveBeenCalledWith({ ...view, live: true, range: { kind: 'relative', preset: '1h' } })
  })
})
