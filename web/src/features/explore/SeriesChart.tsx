import { useEffect, useRef, useState } from 'react'
import { chartOption, type ChartType, type SeriesAnswer } from './chartOption.ts'

type EChartsModule = typeof import('./echarts.ts')

/**
 * A series answer drawn with ECharts (loaded on first use). Resizes with its container; an
 * answer without points says so instead of drawing empty axes.
 */
export function SeriesChart({ type, answer, unit, stacked, label }: { type: ChartType; answer: SeriesAnswer; unit?: string; stacked?: boolean; label: string }) {
  const container = useRef<HTMLDivElement>(null)
  const [module, setModule] = useState<EChartsModule | undefined>(undefined)
  const [loadError, setLoadError] = useState(false)

  useEffect(() => {
    import('./echarts.ts').then(setModule, () => setLoadError(true))
  }, [])

  useEffect(() => {
    const element = container.current
    if (!module || !element || answer.points.length === 0) return
    const chart = module.echarts.getInstanceByDom(element) ?? module.echarts.init(element)
    chart.setOption(chartOption(type, answer, { ...(unit ? { unit } : {}), ...(stacked ? { stacked } : {}) }), true)
    const observer = new ResizeObserver(() => chart.resize())
    observer.observe(element)
    return () => observer.disconnect()
  }, [module, type, answer, unit, stacked])

  useEffect(() => {
    const element = container.current
    return () => {
      if (module && element) module.echarts.getInstanceByDom(element)?.dispose()
    }
  }, [module])

  if (loadError) {
    return <p className="chart-empty">The chart library could not be loaded. Reload the page to try again.</p>
  }
  if (answer.points.length === 0) {
    return <p className="chart-empty">No points in this range. Widen the time range, or check that the source receives data.</p>
  }
  return <div ref={container} className="series-chart" role="img" aria-label={label} />
}
