import { useEffect, useRef, useState } from 'react'
import type { ChartLine } from './series.ts'

type EChartsModule = typeof import('../../explore/echarts.ts')

/**
 * A time chart of several lines drawn with ECharts, loaded on first use through the same
 * dynamic import as the explore and dashboard charts (the library stays out of the main bundle).
 */
export function HealthChart({ title, description, lines, unit, from, to }: { title: string; description?: string; lines: ChartLine[]; unit: string; from: string; to: string }) {
  const container = useRef<HTMLDivElement>(null)
  const [module, setModule] = useState<EChartsModule | undefined>(undefined)
  const [loadError, setLoadError] = useState(false)
  const empty = lines.every((line) => line.points.length === 0)

  useEffect(() => {
    import('../../explore/echarts.ts').then(setModule, () => setLoadError(true))
  }, [])

  useEffect(() => {
    const element = container.current
    if (!module || !element || empty) return
    const chart = module.echarts.getInstanceByDom(element) ?? module.echarts.init(element)
    const format = (value: unknown) => (typeof value === 'number' ? `${value.toLocaleString(undefined, { maximumFractionDigits: 2 })} ${unit}` : '—')
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 16, top: 56, bottom: 28 },
      legend: { top: 0, type: 'scroll' },
      tooltip: { trigger: 'axis', valueFormatter: format },
      xAxis: { type: 'time', min: new Date(from).getTime(), max: new Date(to).getTime(), splitNumber: 5, axisLabel: {
        hideOverlap: true,
        // Day boundaries as "Dec 6" rather than ECharts' bare day number.
        formatter: { year: '{yyyy}', month: '{MMM} {d}', day: '{MMM} {d}', hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}', millisecond: '{HH}:{mm}:{ss}', none: '{HH}:{mm}' },
      } },
      yAxis: { type: 'value', name: unit, nameTextStyle: { align: 'left' }, min: 0 },
      series: lines.map((line) => ({
        name: line.name,
        type: 'line',
        showSymbol: line.points.length < 3,
        connectNulls: false,
        data: line.points.map(([t, v]) => [new Date(t).getTime(), v]),
      })),
    }, true)
    const observer = new ResizeObserver(() => chart.resize())
    observer.observe(element)
    return () => observer.disconnect()
  }, [module, lines, unit, from, to, empty])

  useEffect(() => {
    const element = container.current
    return () => {
      if (module && element) module.echarts.getInstanceByDom(element)?.dispose()
    }
  }, [module])

  return (
    <section className="card health-chart" aria-label={title}>
      <h2>{title}</h2>
      {description ? <p className="muted small">{description}</p> : null}
      {loadError ? (
        <p className="chart-empty">The chart library could not be loaded. Reload the page to try again.</p>
      ) : empty ? (
        <p className="chart-empty">No points in this range.</p>
      ) : (
        <div ref={container} className="series-chart health-chart-canvas" role="img" aria-label={`${title} chart`} />
      )}
    </section>
  )
}
