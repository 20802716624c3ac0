import type { TableAnswer } from './api.ts'

/**
 * A saved query's result drawn as a chart: the category column (config.xColumn, default the
 * first column) against one numeric column (config.yColumn, default the first numeric one).
 */
export function tableChartOption(type: string, table: TableAnswer, config: Record<string, unknown>): Record<string, unknown> | undefined {
  const xColumn = typeof config.xColumn === 'string' ? config.xColumn : table.columns[0]?.name
  const listed = Array.isArray(config.yColumns) && typeof config.yColumns[0] === 'string' ? config.yColumns[0] : undefined
  const yColumn = typeof config.yColumn === 'string'
    ? config.yColumn
    : listed ? listed
    : table.columns.find((column) => column.name !== xColumn && table.rows.some((row) => typeof row[column.name] === 'number' || (typeof row[column.name] === 'string' && row[column.name] !== '' && !Number.isNaN(Number(row[column.name])))))?.name
  if (!xColumn || !yColumn) return undefined
  const data = table.rows.map((row) => ({ name: String(row[xColumn] ?? '(none)'), value: Number(row[yColumn]) }))
  if (type === 'pie_chart') {
    return {
      tooltip: { trigger: 'item' },
      legend: { type: 'scroll', bottom: 0 },
      series: [{ type: 'pie', name: yColumn, radius: config.donut === false ? ['0%', '70%'] : ['40%', '70%'], center: ['50%', '45%'], data }],
    }
  }
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: data.map((item) => item.name) },
    yAxis: { type: 'value' },
    // Each bar names its category (the name the click filters by).
    series: [{ type: type === 'bar_chart' ? 'bar' : 'line', name: yColumn, data: data.map((item) => item.value), ...(type === 'area_chart' ? { areaStyle: {} } : {}) }],
  }
}
