import { useMemo } from 'react'
import type { SeriesAnswer } from '../../explore/chartOption.ts'
import { sparklineOption } from '../../explore/chartOption.ts'
import type { StatComparison } from '../api.ts'
import { changeTone, formatChange, formatStat, statFigures, targetProgress, thresholdTone, type StatFigures, type StatThresholds } from '../statMath.ts'
import { WidgetChart } from './WidgetChart.tsx'

const TONE_COLOURS = { ok: '#17803d', warning: '#9a5b00', critical: '#c62a2a', neutral: '#4f46e5' }

/** The value over the range, its change against the period before it, a sparkline of the range and the KPI target. */
export function StatCard({ series, comparison, config, title }: { series: SeriesAnswer; comparison?: StatComparison; config: Record<string, unknown>; title: string }) {
  const figures = useMemo(() => statFigures(series.agg, series.points, comparison), [series, comparison])
  const unit = typeof config.unit === 'string' ? config.unit : undefined
  const thresholds = thresholdsOf(config)
  const tone = thresholdTone(figures.value, thresholds)
  const progress = targetProgress(figures.value, config.target)
  const option = useMemo(() => sparklineOption(figures.trend, TONE_COLOURS[tone]), [figures.trend, tone])
  const direction = figures.changePercent === null ? 'flat' : figures.changePercent > 0 ? 'up' : figures.changePercent < 0 ? 'down' : 'flat'
  return (
    <div className={`dash-stat dash-stat--${tone}`}>
      <p className="dash-stat-value" data-testid="stat-value">
        {formatStat(figures.value, unit)}
      </p>
      <p className={`dash-stat-change dash-stat-change--${changeTone(figures.changePercent, thresholds)}`} title={changeHint(figures)}>
        {direction === 'up' ? '▲ ' : direction === 'down' ? '▼ ' : ''}
        {formatChange(figures.changePercent)} <span className="muted">vs {figures.against}</span>
      </p>
      {tone === 'warning' || tone === 'critical' ? <p className={`badge badge--${tone === 'critical' ? 'danger' : 'warning'}`}>{tone === 'critical' ? 'Critical' : 'Warning'}</p> : null}
      {progress !== null ? (
        <p className="dash-stat-target small muted">
          {progress.toFixed(0)}% of target {formatStat(config.target as number, unit)}
        </p>
      ) : null}
      {figures.trend.length > 1 ? <WidgetChart option={option} label={`${title}: trend`} className="dash-sparkline" /> : null}
    </div>
  )
}

/** Why there is no change to show, on hover. */
function changeHint(figures: StatFigures): string | undefined {
  if (figures.changePercent !== null) return undefined
  if (figures.previous === 0) return `The ${figures.against} was 0: no percentage to show`
  return `No data in the ${figures.against} to compare with`
}

/** config.thresholds as the editor writes it, or the flat warning/critical of a public payload. */
function thresholdsOf(config: Record<string, unknown>): StatThresholds | undefined {
  const stored = config.thresholds
  if (typeof stored === 'object' && stored !== null && !Array.isArray(stored)) return stored as StatThresholds
  if (typeof config.warning === 'number' || typeof config.critical === 'number') {
    return { warning: config.warning as number | undefined, critical: config.critical as number | undefined }
  }
  return undefined
}
