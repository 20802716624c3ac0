import { useMemo, type ReactNode } from 'react'
import ReactGridLayout, { useContainerWidth, type Layout } from 'react-grid-layout'
import 'react-grid-layout/css/styles.css'
import { GRID_COLUMNS, NARROW_WIDTH, ROW_HEIGHT, narrowLayout, positionsFromGrid, toGridItems } from '../gridLayout.ts'
import type { GridPosition } from '../api.ts'
import type { ViewWidget } from '../widgetView.ts'

/**
 * The 12-column grid (react-grid-layout, loaded with the dashboard page, not the app). In edit
 * mode widgets drag by their header and resize from the corner; below 640 px the grid shows
 * one column in reading order without touching the saved layout.
 */
export function DashboardGrid({ widgets, editing, renderWidget, onPositions }: {
  widgets: ViewWidget[]
  editing: boolean
  renderWidget: (widget: ViewWidget) => ReactNode
  onPositions?: ((positions: Map<string, GridPosition>) => void) | undefined
}) {
  const { width, containerRef, mounted } = useContainerWidth({ initialWidth: 1024 })
  const narrow = width < NARROW_WIDTH
  const layout = useMemo(() => (narrow ? narrowLayout(widgets) : toGridItems(widgets)), [narrow, widgets])
  const canEdit = editing && !narrow
  const handleStop = (next: Layout) => {
    onPositions?.(positionsFromGrid(next))
  }
  return (
    <div ref={containerRef} className={`dash-grid${narrow ? ' dash-grid--narrow' : ''}`}>
      {mounted ? (
        <ReactGridLayout
          width={width}
          layout={layout}
          gridConfig={{ cols: narrow ? 1 : GRID_COLUMNS, rowHeight: ROW_HEIGHT, margin: [16, 16], containerPadding: [0, 0] }}
          dragConfig={{ enabled: canEdit, handle: '.dash-drag-handle', cancel: 'button, a, input, select, textarea, summary' }}
          resizeConfig={{ enabled: canEdit, handles: ['se'] }}
          onDragStop={handleStop}
          onResizeStop={handleStop}
        >
          {widgets.map((widget) => (
            <div key={widget.key} className="dash-grid-item" data-testid={`grid-item-${widget.title}`}>
              {renderWidget(widget)}
            </div>
          ))}
        </ReactGridLayout>
      ) : null}
    </div>
  )
}
