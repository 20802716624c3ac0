/** A determinate progress bar named by `label` ("Run progress"), with its percent beside it unless `hideValue`. */
export function ProgressBar({ value, label, hideValue = false, tone = 'primary' }: { value: number; label: string; hideValue?: boolean; tone?: 'primary' | 'success' | 'danger' }) {
  const percent = Math.max(0, Math.min(100, Number.isFinite(value) ? value : 0))
  const rounded = Math.round(percent)
  return (
    <span className="progress">
      <span
        className={`progress-track progress-track--${tone}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={`${rounded}%`}
      >
        <span className="progress-fill" style={{ width: `${percent}%` }} />
      </span>
      {hideValue ? null : <span className="progress-value">{rounded}%</span>}
    </span>
  )
}
