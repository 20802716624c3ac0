import type { Key, ReactNode } from 'react'

export type BarTone = 'primary' | 'success' | 'danger' | 'muted'

export interface BarSeries {
  key: string
  label: string
  tone: BarTone
}

export interface Bar {
  key: Key
  /** Value per series key; the bar stacks them in the order of `series`. */
  values: Record<string, number>
  /** The bar in words: its accessible name and tooltip ("Tue 14:00: 120 records"). */
  description: string
  /** Under the bar; leave it out on most bars of a long series. */
  label?: ReactNode
}

/**
 * Bars (stacked when there are several series) as a list: each bar is a list item named by its
 * description, so screen readers read the numbers the heights show. No axis but the maximum.
 */
export function BarChart({ label, bars, series, formatMax = String, legend = series.length > 1 }: { label: string; bars: Bar[]; series: readonly BarSeries[]; formatMax?: (max: number) => string; legend?: boolean }) {
  const totals = bars.map((bar) => series.reduce((sum, item) => sum + (bar.values[item.key] ?? 0), 0))
  const max = Math.max(0, ...totals)
  return (
    <figure className="bar-chart">
      <div className="bar-chart-plot">
        <span className="bar-chart-max" aria-hidden="true">
          {formatMax(max)}
        </span>
        <ol className={`bar-chart-bars${bars.length > 60 ? ' bar-chart-bars--dense' : ''}`} aria-label={label}>
          {bars.map((bar, index) => (
            <li key={bar.key} className="bar-chart-bar" aria-label={bar.description} title={bar.description}>
              <span className="bar-chart-stack" style={{ height: max === 0 ? 0 : `${((totals[index] ?? 0) / max) * 100}%` }} aria-hidden="true">
                {series.map((item) => {
                  const value = bar.values[item.key] ?? 0
                  return value > 0 ? <span key={item.key} className={`bar-chart-segment bar-chart-segment--${item.tone}`} style={{ flexGrow: value }} /> : null
                })}
              </span>
              <span className="bar-chart-label" aria-hidden="true">
                {bar.label}
              </span>
            </li>
          ))}
        </ol>
      </div>
      {legend ? (
        <figcaption className="bar-chart-legend">
          {series.map((item) => (
            <span key={item.key} className="legend-item">
              <span className={`legend-swatch bar-chart-segment--${item.tone}`} aria-hidden="true" />
              {item.label}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  )
}
