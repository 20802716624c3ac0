import { useState, type FormEvent } from 'react'
import { Button } from '../../../components/Button.tsx'
import { RANGE_PRESETS, rangeLabel, resolveRange, toLocalInput, withFilter, type ViewState } from '../viewState.ts'

/**
 * The time range picker (presets, absolute from/to, live) and the dimension filter chips.
 * Every change goes through `onChange`, which writes the address.
 */
export function ViewControls({ view, onChange, allowFilters = true }: { view: ViewState; onChange: (view: ViewState) => void; allowFilters?: boolean }) {
  const [absoluteOpen, setAbsoluteOpen] = useState(false)
  const current = resolveRange(view.range, new Date())
  const [from, setFrom] = useState(toLocalInput(current.from))
  const [to, setTo] = useState(toLocalInput(current.to))
  const [adding, setAdding] = useState(false)
  const [filterKey, setFilterKey] = useState('')
  const [filterValue, setFilterValue] = useState('')
  const [absoluteError, setAbsoluteError] = useState<string | undefined>(undefined)

  const selectValue = view.range.kind === 'relative' ? view.range.preset : 'absolute'

  const handleAbsolute = (event: FormEvent) => {
    event.preventDefault()
    const start = new Date(from)
    const end = new Date(to)
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end) {
      setAbsoluteError('The start must be before the end.')
      return
    }
    setAbsoluteError(undefined)
    setAbsoluteOpen(false)
    onChange({ ...view, live: false, range: { kind: 'absolute', from: start.toISOString(), to: end.toISOString() } })
  }

  const handleAddFilter = (event: FormEvent) => {
    event.preventDefault()
    if (filterKey.trim() === '' || filterValue.trim() === '') return
    onChange({ ...view, filters: withFilter(view.filters, filterKey.trim(), filterValue.trim()) })
    setFilterKey('')
    setFilterValue('')
    setAdding(false)
  }

  return (
    <div className="dash-controls">
      <div className="dash-controls-row">
        <label className="dash-range">
          <span className="visually-hidden">Time range</span>
          <select
            aria-label="Time range"
            value={selectValue}
            onChange={(event) => {
              const value = event.target.value
              if (value === 'absolute') {
                setAbsoluteOpen(true)
                return
              }
              setAbsoluteOpen(false)
              onChange({ ...view, range: { kind: 'relative', preset: value } })
            }}
          >
            {RANGE_PRESETS.map((preset) => (
              <option key={preset.value} value={preset.value}>
                {preset.label}
              </option>
            ))}
            <option value="absolute">{view.range.kind === 'absolute' ? rangeLabel(view.range) : 'Custom range…'}</option>
          </select>
        </label>
        <button
          type="button"
          className={`btn btn--small ${view.live ? 'btn--primary' : 'btn--secondary'} dash-live`}
          aria-pressed={view.live}
          onClick={() => onChange(view.live ? { ...view, live: false } : { ...view, live: true, range: view.range.kind === 'relative' ? view.range : { kind: 'relative', preset: '1h' } })}
          title="Keep the range ending now and update widgets as data arrives"
        >
          {view.live ? <span className="live-dot" aria-hidden="true" /> : null}
          Live
        </button>
        {allowFilters ? (
          <ul className="dash-chips" aria-label="Filters">
            {Object.entries(view.filters).map(([key, value]) => (
              <li key={key} className="dash-chip">
                <span>
                  {key} = <strong>{value}</strong>
                </span>
                <button type="button" className="dash-chip-remove" aria-label={`Remove filter ${key}`} onClick={() => onChange({ ...view, filters: withFilter(view.filters, key, undefined) })}>
                  ×
                </button>
              </li>
            ))}
            <li>
              {adding ? (
                <form className="dash-filter-form" onSubmit={handleAddFilter}>
                  <input aria-label="Filter dimension" placeholder="dimension" value={filterKey} onChange={(event) => setFilterKey(event.target.value)} autoFocus />
                  <input aria-label="Filter value" placeholder="value" value={filterValue} onChange={(event) => setFilterValue(event.target.value)} />
                  <Button type="submit" variant="primary" className="btn--small">
                    Apply
                  </Button>
                  <Button variant="ghost" className="btn--small" onClick={() => setAdding(false)}>
                    Cancel
                  </Button>
                </form>
              ) : (
                <button type="button" className="btn btn--ghost btn--small" onClick={() => setAdding(true)}>
                  + Add filter
                </button>
              )}
            </li>
          </ul>
        ) : null}
      </div>
      {absoluteOpen ? (
        <form className="dash-absolute" onSubmit={handleAbsolute}>
          <label>
            From <input type="datetime-local" value={from} onChange={(event) => setFrom(event.target.value)} />
          </label>
          <label>
            To <input type="datetime-local" value={to} onChange={(event) => setTo(event.target.value)} />
          </label>
          <Button type="submit" variant="primary" className="btn--small">
            Apply range
          </Button>
          <Button variant="ghost" className="btn--small" onClick={() => setAbsoluteOpen(false)}>
            Cancel
          </Button>
          {absoluteError ? <span className="inline-error" role="alert">{absoluteError}</span> : null}
        </form>
      ) : null}
    </div>
  )
}
