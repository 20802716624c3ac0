import { PARAMETER_TYPES, type ParamDraft } from '../queryDraft.ts'
import type { ParameterType } from '../api.ts'

const PLACEHOLDERS: Record<ParameterType, string> = { text: 'a value', number: '42', date: 'YYYY-MM-DD', list: 'a, b, c' }

/** One row per {{name}} of the SQL: its type and a test value (saved as its default). */
export function ParameterFields({ params, errors, readOnly, onChange }: { params: ParamDraft[]; errors: Record<string, string>; readOnly: boolean; onChange: (params: ParamDraft[]) => void }) {
  if (params.length === 0) {
    return (
      <p className="field-hint">
        No parameters. Write <code>{'{{name}}'}</code> in the SQL where a value goes (for example <code>{'where placed_at >= {{since}}'}</code>) and it appears here with a type and a test value.
      </p>
    )
  }
  const update = (name: string, change: Partial<ParamDraft>) => onChange(params.map((param) => (param.name === name ? { ...param, ...change } : param)))
  return (
    <table className="table table--compact query-params">
      <thead>
        <tr>
          <th scope="col">Parameter</th>
          <th scope="col">Type</th>
          <th scope="col">Test value</th>
        </tr>
      </thead>
      <tbody>
        {params.map((param) => {
          const error = errors[param.name]
          const errorId = `param-${param.name}-error`
          return (
            <tr key={param.name}>
              <td>
                <code>{`{{${param.name}}}`}</code>
              </td>
              <td>
                <select aria-label={`Type of ${param.name}`} value={param.type} disabled={readOnly} onChange={(event) => update(param.name, { type: event.target.value as ParameterType })}>
                  {PARAMETER_TYPES.map((type) => (
                    <option key={type.value} value={type.value}>
                      {type.label}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={`Test value of ${param.name}`}
                  type={param.type === 'date' ? 'date' : 'text'}
                  inputMode={param.type === 'number' ? 'decimal' : undefined}
                  placeholder={PLACEHOLDERS[param.type]}
                  value={param.value}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? errorId : undefined}
                  onChange={(event) => update(param.name, { value: event.target.value })}
                />
                {error ? (
                  <p className="field-error" id={errorId}>
                    {error}
                  </p>
                ) : null}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
