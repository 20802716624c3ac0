import type { ReactNode } from 'react'

/** One headline figure of a `<dl className="stat-cards">`: its label, the value and an optional detail line. */
export function StatCard({ label, value, detail, className }: { label: string; value: string; detail?: ReactNode; className?: string | undefined }) {
  return (
    <div className={`stat-card${className ? ` ${className}` : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {detail ? <span className="stat-detail">{detail}</span> : null}
      </dd>
    </div>
  )
}
