/**
 * The ECharts modules Tessera draws with, registered once. Imported only through a dynamic
 * import (SeriesChart), so the library stays out of the initial bundle.
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([LineChart, BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, CanvasRenderer])

export { echarts }
