import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { chartOption } from '../../explore/chartOption.ts'
import { formatRelative } from '../../../lib/format.ts'
import type { WidgetData } from '../api.ts'
import { tableChartOption } from '../tableChart.ts'
import { isChart, safeImageUrl, type ViewWidget } from '../widgetView.ts'
import { StatCard } from './StatCard.tsx'
import { TableWidget } from './TableWidget.tsx'
import { TextWidget } from './TextWidget.tsx'
import { Menu } from './Menu.tsx'
import { WidgetChart, type ChartHandle } from './WidgetChart.tsx'

/** Charts start drawing this far before they scroll into view. */
const NEAR_VIEWPORT = '300px'

/** Renders children only once the element is in or near the viewport (and keeps them). */
function useNearViewport(): [React.RefObject<HTMLDivElement | null>, boolean] {
  const ref = useRef<HTMLDivElement>(null)
  const [near, setNear] = useState(typeof IntersectionObserver === 'undefined')
  useEffect(() => {
    const element = ref.current
    if (near || !element) return
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) setNear(true)
    }, { rootMargin: NEAR_VIEWPORT })
    observer.observe(element)
    return () => observer.disconnect()
  }, [near])
  return [ref, near]
}

function download(url: string, filename: string) {
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
}

function fileName(title: string): string {
  return title.replace(/[^\w\- ]+/g, '').trim().replace(/\s+/g, '-').toLowerCase() || 'widget'
}

export interface WidgetFrameProps {
  widget: ViewWidget
  data: WidgetData | undefined
  /** Cross-filtering: called with (dimension, value) when a reader clicks a group. */
  onPick?: ((key: string, value: string) => void) | undefined
  exports?: { csv: string; xlsx: string } | undefined
  toolbar?: ReactNode
  /** A drag handle class in edit mode. */
  editing?: boolean
}

/** One widget's card: title, freshness, menu, and its body, error or empty state. */
export function WidgetFrame({ widget, data, onPick, exports, toolbar, editing }: WidgetFrameProps) {
  const [ref, near] = useNearViewport()
  const chartHandle = useRef<ChartHandle | undefined>(undefined)
  const handleReady = useCallback((handle: ChartHandle) => {
    chartHandle.current = handle
  }, [])
  const asOf = data?.status === 'ok' ? (data.series?.asOf ?? data.table?.asOf) : undefined
  const showsData = !(widget.type === 'text' || widget.type === 'image')
  return (
    // data-widget-state lets a browser test or the dashboard benchmark tell when a widget shows its answer.
    <article className={`dash-widget${editing ? ' dash-widget--editing' : ''}`} aria-label={widget.title} data-widget-type={widget.type}
      data-widget-state={data === undefined ? 'loading' : data.status === 'error' ? 'error' : 'ready'}>
      <header className={`dash-widget-header${editing ? ' dash-drag-handle' : ''}`}>
        <div className="dash-widget-titles">
          <h2 className="dash-widget-title">{widget.title}</h2>
          {widget.description ? <p className="dash-widget-description">{widget.description}</p> : null}
        </div>
        <div className="dash-widget-tools">
          {toolbar}
          {showsData && !editing && data?.status === 'ok' ? (
            <Menu label={`${widget.title}: widget menu`} summaryClassName="btn btn--ghost btn--small" popoverClassName="">
                {isChart(widget.type) ? (
                  <button type="button" className="popover-item" onClick={() => {
                    const png = chartHandle.current?.toPng()
                    if (png) download(png, `${fileName(widget.title)}.png`)
                  }}>
                    Download PNG
                  </button>
                ) : null}
                {exports ? (
                  <>
                    <a className="popover-item" href={exports.csv} download>
                      Download CSV
                    </a>
                    <a className="popover-item" href={exports.xlsx} download>
                      Download XLSX
                    </a>
                  </>
                ) : null}
            </Menu>
          ) : null}
        </div>
      </header>
      <div className="dash-widget-body" ref={ref}>
        {near ? <WidgetBody widget={widget} data={data} onPick={onPick} onReady={handleReady} /> : null}
      </div>
      {asOf ? (
        <footer className="dash-widget-footer" title={new Date(asOf).toLocaleString()}>
          As of {formatRelative(asOf)}
        </footer>
      ) : null}
    </article>
  )
}

function WidgetBody({ widget, data, onPick, onReady }: { widget: ViewWidget; data: WidgetData | undefined; onPick: WidgetFrameProps['onPick']; onReady: (handle: ChartHandle) => void }) {
  const config = widget.config
  const series = data?.status === 'ok' ? data.series : undefined
  const table = data?.status === 'ok' ? data.table : undefined
  const option = useMemo(() => {
    if (!isChart(widget.type)) return undefined
    if (series) {
      return chartOption(widget.type, series, {
        ...(typeof config.unit === 'string' ? { unit: config.unit } : {}),
        stacked: config.stacked === true,
        donut: config.donut !== false,
      })
    }
    if (table) return tableChartOption(widget.type, table, config)
    return undefined
  }, [widget.type, series, table, config])

  if (widget.type === 'text') {
    return <TextWidget markdown={typeof config.markdown === 'string' ? config.markdown : ''} />
  }
  if (widget.type === 'image') {
    const url = safeImageUrl(config.url)
    if (!url) return <p className="chart-empty">This image has no http or https address. Edit the widget to set one.</p>
    return <img className="dash-image" src={url} alt={typeof config.alt === 'string' ? config.alt : widget.title} loading="lazy" referrerPolicy="no-referrer" />
  }
  if (!data) {
    return <div className="dash-widget-loading" role="status"><span className="spinner" aria-hidden="true" /> Loading…</div>
  }
  if (data.status === 'error') {
    return (
      <div className="dash-widget-error" role="alert">
        <p className="dash-widget-error-title">This widget could not load its data</p>
        <p>{data.error.message}</p>
      </div>
    )
  }
  if (data.status === 'static') {
    return <p className="chart-empty">Nothing to show.</p>
  }
  const empty = table ? table.rows.length === 0 : (series?.points.length ?? 0) === 0
  if (empty) {
    return <p className="chart-empty">No data in this range. Widen the time range or remove a filter.</p>
  }
  if (widget.type === 'table') return <TableWidget series={series} table={table} title={widget.title} />
  if (widget.type === 'stat_card') {
    if (!series) return <p className="chart-empty">A stat card needs a metric or pipeline source.</p>
    return <StatCard series={series} comparison={data.comparison} config={config} title={widget.title} />
  }
  if (!option) return <p className="chart-empty">Choose the columns to chart in the widget settings.</p>
  const key = widget.crossFilterKey
  const pick = key && onPick ? (value: string) => onPick(key, value) : undefined
  return <WidgetChart option={option} label={`${widget.title} chart`} onPick={pick} onReady={onReady} />
}
