export type Tone = 'success' | 'danger' | 'warning' | 'info' | 'running' | 'muted'

/**
 * A status as a coloured pill with a dot; the words carry the meaning, the colour only repeats
 * it. A `running` status pulses (still, with reduced motion).
 */
export function StatusBadge({ label, tone, title }: { label: string; tone: Tone; title?: string }) {
  return (
    <span className={`status-badge status-badge--${tone}`} title={title}>
      <span className="status-dot" aria-hidden="true" />
      {label}
    </span>
  )
}
