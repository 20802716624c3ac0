import { useId, type ReactNode } from 'react'
import { capitalize } from '../lib/format.ts'

export interface RadioCardOption<T extends string> {
  value: T
  label: string
  description?: ReactNode
}

/** One choice among a few that need explaining: radio buttons drawn as cards, in a fieldset with a legend. */
export function RadioCards<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  error,
}: {
  legend: string
  name: string
  value: T | ''
  options: Array<RadioCardOption<T>>
  onChange: (value: T) => void
  error?: string | undefined
}) {
  const id = useId()
  return (
    <fieldset className={`fieldset${error ? ' field--invalid' : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      <div className="checkbox-grid">
        {options.map((option, index) => (
          <div className="checkbox-card radio-card" key={option.value}>
            <input
              type="radio"
              id={`${id}-${option.value}`}
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              aria-invalid={error && index === 0 ? true : undefined}
              aria-labelledby={`${id}-${option.value}-title`}
              aria-describedby={option.description ? `${id}-${option.value}-description` : undefined}
            />
            {/* The whole card is the click target; the title alone is the accessible name. */}
            <label htmlFor={`${id}-${option.value}`}>
              <span className="checkbox-card-title" id={`${id}-${option.value}-title`}>
                {option.label}
              </span>
              {option.description ? (
                <span className="checkbox-card-description" id={`${id}-${option.value}-description`}>
                  {option.description}
                </span>
              ) : null}
            </label>
          </div>
        ))}
      </div>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {capitalize(error)}
        </p>
      ) : null}
    </fieldset>
  )
}
