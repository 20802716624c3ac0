import { PERIODS } from '../statistics.ts'

/** The statistics period as a row of toggle buttons; the pressed one is the period shown. */
export function PeriodPicker({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Period">
      {PERIODS.map((period) => (
        <button
          key={period.value}
          type="button"
          className={`segmented-option${period.value === value ? ' segmented-option--active' : ''}`}
          aria-pressed={period.value === value}
          aria-label={period.label}
          onClick={() => onChange(period.value)}
        >
          {period.short}
        </button>
      ))}
    </div>
  )
}
