import { useEffect, useRef, useState } from 'react'

type EChartsModule = typeof import('../../explore/echarts.ts')
type ChartInstance = ReturnType<EChartsModule['echarts']['init']>

export interface ChartHandle {
  /** A PNG of the chart as drawn, as a data: URL. */
  toPng: () => string | undefined
}

interface ClickParams {
  componentType?: string
  seriesType?: string
  seriesName?: string
  name?: string
}

/**
 * An ECharts option drawn on a canvas (the library is loaded on first use, not in the initial
 * bundle). `onPick` receives the group a reader clicked (a bar's series, a pie slice, a legend
 * item) for cross-filtering; `onReady` hands out a PNG export.
 */
export function WidgetChart({ option, label, onPick, onReady, className = 'dash-chart' }: {
  option: Record<string, unknown>
  label: string
  onPick?: ((group: string) => void) | undefined
  onReady?: ((handle: ChartHandle) => void) | undefined
  className?: string
}) {
  const container = useRef<HTMLDivElement>(null)
  const chartRef = useRef<ChartInstance | undefined>(undefined)
  const [module, setModule] = useState<EChartsModule | undefined>(undefined)
  const [loadError, setLoadError] = useState(false)
  const pickRef = useRef(onPick)
  pickRef.current = onPick

  useEffect(() => {
    import('../../explore/echarts.ts').then(setModule, () => setLoadError(true))
  }, [])

  useEffect(() => {
    const element = container.current
    if (!module || !element) return
    const chart = module.echarts.init(element)
    chartRef.current = chart
    chart.on('click', (params: ClickParams) => {
      const pick = pickRef.current
      if (!pick) return
      const group = params.seriesType === 'pie' ? params.name : params.seriesName
      if (group && group !== 'value') pick(group)
    })
    chart.on('legendselectchanged', (event: unknown) => {
      const pick = pickRef.current
      const params = event as { name?: string }
      if (!pick || !params.name) return
      // A legend click filters the dashboard instead of hiding the series.
      chart.dispatchAction({ type: 'legendSelect', name: params.name })
      pick(params.name)
    })
    const observer = new ResizeObserver(() => chart.resize())
    observer.observe(element)
    return () => {
      observer.disconnect()
      chart.dispose()
      chartRef.current = undefined
    }
  }, [module])

  useEffect(() => {
    const chart = chartRef.current
    if (!chart) return
    chart.setOption(option, true)
    onReady?.({ toPng: () => chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }) })
  }, [module, option, onReady])

  if (loadError) {
    return <p className="chart-empty">The chart library could not be loaded. Reload the page to try again.</p>
  }
  return <div ref={container} className={className} role="img" aria-label={label} />
}
