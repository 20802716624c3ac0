import { Button } from '../../../components/Button.tsx'
import { SelectField } from '../../../components/Field.tsx'
import type { RunStatus } from '../api.ts'
import { RUN_STATUSES, runStatusLabel } from '../runStatus.ts'

export const RANGES = [
  { value: '', label: 'Any time', hours: 0 },
  { value: '1h', label: 'Last hour', hours: 1 },
  { value: '24h', label: 'Last 24 hours', hours: 24 },
  { value: '7d', label: 'Last 7 days', hours: 24 * 7 },
  { value: '30d', label: 'Last 30 days', hours: 24 * 30 },
] as const

export interface RunFilterValues {
  status: RunStatus | ''
  range: string
}

export function filtersFrom(params: URLSearchParams): RunFilterValues {
  const status = params.get('status') ?? ''
  const range = params.get('range') ?? ''
  return {
    status: (RUN_STATUSES as string[]).includes(status) ? (status as RunStatus) : '',
    range: RANGES.some((option) => option.value === range) ? range : '',
  }
}

/** The ISO start of a range value ("24h"), relative to `now`; undefined for any time. */
export function rangeStart(range: string, now: number): string | undefined {
  const hours = RANGES.find((option) => option.value === range)?.hours ?? 0
  return hours > 0 ? new Date(now - hours * 3_600_000).toISOString() : undefined
}

/** Status and time range of the runs list; each change applies at once (they live in the URL). */
export function RunFilters({ values, onChange }: { values: RunFilterValues; onChange: (values: RunFilterValues) => void }) {
  const filtered = values.status !== '' || values.range !== ''
  return (
    <form className="run-filters" aria-label="Filter runs" onSubmit={(event) => event.preventDefault()}>
      <SelectField
        label="Status"
        name="status"
        value={values.status}
        onChange={(status) => onChange({ ...values, status: status as RunStatus | '' })}
        options={[{ value: '', label: 'All statuses' }, ...RUN_STATUSES.map((status) => ({ value: status, label: runStatusLabel(status) }))]}
      />
      <SelectField
        label="Time range"
        name="range"
        value={values.range}
        onChange={(range) => onChange({ ...values, range })}
        options={RANGES.map(({ value, label }) => ({ value, label }))}
      />
      {filtered ? (
        <Button variant="ghost" onClick={() => onChange({ status: '', range: '' })}>
          Clear filters
        </Button>
      ) : null}
    </form>
  )
}
