import type { CreateWidgetBody, Position } from '../dashboards/widgets.schema.ts'
import type { DataQuery } from '../widget-data/widget-data.schema.ts'

/**
 * The prebuilt dashboard of each demo data set. Widgets are laid out in rows on the 12-column
 * grid: each row's widths add up to 12 and its widgets share a height, so nothing overlaps and
 * no row has a hole. Charts group by a dimension (cross-filtering: a click on a bar or a
 * slice filters the dashboard by that value); stat cards carry the KPI target and the
 * warning/critical thresholds of their metric; a text widget says what the dashboard shows.
 *
 * Widget config keys used here (those of the widget editor and of the public payload's
 * allowlist): charts `stacked` (bar/area), `donut` (pie), `unit`; stat cards `unit`, `target`
 * (with `targetLabel` and `kpiId`), `thresholds` ({warning, critical, direction}: 'above' means
 * high values are bad, 'below' low ones) and the same levels as `warning` and `critical`,
 * `sparkline`, `showChange`; tables `pageSize`, `sortBy`, `sortDirection`; text `markdown`.
 */

export interface DemoIds {
  metrics: Map<string, string>
  kpis: Map<string, { id: string; target: number }>
  pipelines: Map<string, string>
}

type WidgetSpec = Omit<CreateWidgetBody, 'position'> & { w: number }

interface Row {
  h: number
  widgets: WidgetSpec[]
}

export interface DashboardSpec {
  key: 'product' | 'pipelines' | 'workflows' | 'orders'
  name: string
  description: string
  tags: string[]
  refreshInterval: number
  widgets: Array<CreateWidgetBody & { position: Position }>
}

/** Positions for rows of widgets, top to bottom; throws when a row does not fill 12 columns. */
export function layoutRows(rows: Row[]): Array<CreateWidgetBody & { position: Position }> {
  const placed: Array<CreateWidgetBody & { position: Position }> = []
  let y = 0
  for (const row of rows) {
    let x = 0
    for (const { w, ...widget } of row.widgets) {
      placed.push({ ...widget, position: { x, y, w, h: row.h } })
      x += w
    }
    if (x !== 12) {
      throw new Error(`a demo dashboard row is ${x} columns wide, not 12`)
    }
    y += row.h
  }
  return placed
}

function need<T>(map: Map<string, T>, key: string): T {
  const value = map.get(key)
  if (value === undefined) throw new Error(`demo: ${key} was not created`)
  return value
}

const metric = (ids: DemoIds, name: string, query: Omit<Extract<DataQuery, { source: 'metric' }>, 'source' | 'metricId'> = {}): DataQuery => ({
  source: 'metric',
  metricId: need(ids.metrics, name),
  ...query,
})
const pipeline = (ids: DemoIds, key: string, query: Omit<Extract<DataQuery, { source: 'pipeline' }>, 'source' | 'pipelineId'> = {}): DataQuery => ({
  source: 'pipeline',
  pipelineId: need(ids.pipelines, key),
  ...query,
})

/**
 * Warning and critical levels of a stat card: as the dashboard editor keeps them (thresholds,
 * with the direction) and as the public payload's allowlist shares them (warning, critical).
 */
const limits = (warning: number, critical: number, direction: 'above' | 'below') => ({ thresholds: { warning, critical, direction }, warning, critical })

const text = (title: string, markdown: string, w = 4): WidgetSpec => ({ type: 'text', title, w, config: { markdown }, dataQuery: null })

function kpiCard(ids: DemoIds, kpi: string, title: string, dataQuery: DataQuery, config: Record<string, unknown>): WidgetSpec {
  const { id, target } = need(ids.kpis, kpi)
  return { type: 'stat_card', title, w: 3, dataQuery, config: { kpiId: id, target, targetLabel: kpi, sparkline: true, showChange: true, ...config } }
}

function product(ids: DemoIds): DashboardSpec {
  return {
    key: 'product',
    name: 'Product metrics',
    description: 'Signups, active users, revenue, conversion and page speed by plan, country and platform, with the KPI targets.',
    tags: ['demo', 'product'],
    refreshInterval: 60,
    widgets: layoutRows([
      {
        h: 3,
        widgets: [
          // Each card shows its figure over the dashboard's range against the same length before
          // it; the hourly sparkline shows the range (the daily KPIs are on the metrics page).
          { type: 'stat_card', title: 'Signups', w: 3, config: { sparkline: true, showChange: true }, dataQuery: metric(ids, 'product.signups', { aggregation: 'sum', bucket: '1h' }) },
          { type: 'stat_card', title: 'Revenue', w: 3, config: { unit: 'USD', sparkline: true, showChange: true }, dataQuery: metric(ids, 'product.revenue', { aggregation: 'sum', bucket: '1h' }) },
          kpiCard(ids, 'Conversion rate', 'Conversion rate', metric(ids, 'product.conversion_rate', { aggregation: 'avg', bucket: '1h' }), {
            unit: '%',
            ...limits(3, 2.5, 'below'),
          }),
          kpiCard(ids, 'Page load time', 'Page load time', metric(ids, 'product.page_load_time', { aggregation: 'avg', bucket: '1h' }), {
            unit: 's',
            ...limits(2.5, 4, 'above'),
          }),
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'line_chart', title: 'Signups by country', w: 8, config: { unit: 'signups' }, dataQuery: metric(ids, 'product.signups', { aggregation: 'sum', groupBy: 'country' }) },
          text(
            'About this dashboard',
            [
              '### Product metrics (demo)',
              'Generated data for **Acme**, a SaaS product: 30 days of signups, active users, revenue, conversion and page speed.',
              '',
              '- Signups and revenue grow about **25% a month**, follow each country\'s day and peak on mobile at weekends.',
              '- **Nine days ago, 13:00–17:00 UTC**: a CDN degradation made web pages in Europe three times slower and halved their signups.',
              '- **Three days ago, 10:00–12:30 UTC**: the payment provider failed; revenue fell by 90%.',
              '- A deploy **two weeks ago** made pages about 10% faster.',
              '',
              'Click a country, plan or platform in a chart to filter the dashboard by it.',
            ].join('\n'),
          ),
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'area_chart', title: 'Active users by platform', w: 6, config: { stacked: true, unit: 'users' }, dataQuery: metric(ids, 'product.active_users', { aggregation: 'avg', groupBy: 'platform' }) },
          { type: 'bar_chart', title: 'Revenue by plan per day', w: 6, config: { stacked: true, unit: 'USD' }, dataQuery: metric(ids, 'product.revenue', { aggregation: 'sum', bucket: '1d', groupBy: 'plan' }) },
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'line_chart', title: 'Page load time by platform', w: 6, config: { unit: 's' }, dataQuery: metric(ids, 'product.page_load_time', { aggregation: 'avg', groupBy: 'platform' }) },
          { type: 'bar_chart', title: 'Conversion rate by platform per day', w: 6, config: { stacked: false, unit: '%' }, dataQuery: metric(ids, 'product.conversion_rate', { aggregation: 'avg', bucket: '1d', groupBy: 'platform' }) },
        ],
      },
      {
        h: 7,
        widgets: [
          { type: 'pie_chart', title: 'Signups by plan', w: 4, config: { donut: true }, dataQuery: metric(ids, 'product.signups', { aggregation: 'sum', bucket: '1d', groupBy: 'plan' }) },
          { type: 'table', title: 'Revenue by country', w: 4, config: { pageSize: 10, sortBy: 'value', sortDirection: 'desc', unit: 'USD' }, dataQuery: metric(ids, 'product.revenue', { aggregation: 'sum', bucket: '1d', groupBy: 'country' }) },
          { type: 'pie_chart', title: 'Signups by platform', w: 4, config: { donut: false }, dataQuery: metric(ids, 'product.signups', { aggregation: 'sum', bucket: '1d', groupBy: 'platform' }) },
        ],
      },
    ]),
  }
}

function pipelines(ids: DemoIds): DashboardSpec {
  return {
    key: 'pipelines',
    name: 'Pipeline throughput & storage',
    description: 'Records per hour and per day of three pipelines, what they carry, and the storage they take.',
    tags: ['demo', 'pipelines'],
    refreshInterval: 30,
    widgets: layoutRows([
      {
        h: 3,
        widgets: [
          { type: 'stat_card', title: 'Web events', w: 3, config: { sparkline: true, showChange: true }, dataQuery: pipeline(ids, 'web', { aggregation: 'count', bucket: '1h' }) },
          { type: 'stat_card', title: 'Sensor readings', w: 3, config: { sparkline: true, showChange: true }, dataQuery: pipeline(ids, 'iot', { aggregation: 'count', bucket: '1h' }) },
          { type: 'stat_card', title: 'CRM changes', w: 3, config: { sparkline: true, showChange: true }, dataQuery: pipeline(ids, 'crm', { aggregation: 'count', bucket: '1h' }) },
          {
            type: 'stat_card',
            // A running total per pipeline: its maximum over the range is the latest size (a sum
            // over the range would add up every hourly sample).
            title: 'Largest pipeline storage',
            w: 3,
            config: { unit: 'bytes', sparkline: true, showChange: true, ...limits(5e8, 1e9, 'above') },
            dataQuery: metric(ids, 'pipeline.storage_bytes', { aggregation: 'max', bucket: '1h' }),
          },
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'area_chart', title: 'Web events per hour by type', w: 8, config: { stacked: true }, dataQuery: pipeline(ids, 'web', { aggregation: 'count', bucket: '1h', groupBy: 'event' }) },
          text(
            'About this dashboard',
            [
              '### Pipeline throughput (demo)',
              'Three realtime pipelines received these records through the ingest API; each record carries the time it happened.',
              '',
              '- **Web events** grow about 30% a month; the CDN incident **nine days ago** shows as a burst of `error` events.',
              '- **IoT sensors**: the Rotterdam gateway was offline **twelve days ago, 02:00–08:00 UTC**.',
              '- **CRM sync** follows office hours and is quiet at weekends.',
              '',
              '**Storage** is the bytes each pipeline has stored, sampled hourly.',
            ].join('\n'),
          ),
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'line_chart', title: 'Sensor readings per hour by site', w: 6, config: {}, dataQuery: pipeline(ids, 'iot', { aggregation: 'count', bucket: '1h', groupBy: 'site' }) },
          { type: 'area_chart', title: 'Storage by pipeline', w: 6, config: { stacked: true, unit: 'bytes' }, dataQuery: metric(ids, 'pipeline.storage_bytes', { aggregation: 'max', groupBy: 'pipeline' }) },
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'bar_chart', title: 'CRM changes per day by object', w: 6, config: { stacked: true }, dataQuery: pipeline(ids, 'crm', { aggregation: 'count', bucket: '1d', groupBy: 'object' }) },
          { type: 'line_chart', title: 'Average temperature by site', w: 6, config: { unit: '°C' }, dataQuery: pipeline(ids, 'iot', { field: 'temperature', aggregation: 'avg', groupBy: 'site' }) },
        ],
      },
      {
        h: 7,
        widgets: [
          { type: 'pie_chart', title: 'Web events by platform', w: 4, config: { donut: true }, dataQuery: pipeline(ids, 'web', { aggregation: 'count', bucket: '1d', groupBy: 'platform' }) },
          { type: 'table', title: 'Web events by country', w: 4, config: { pageSize: 10, sortBy: 'value', sortDirection: 'desc' }, dataQuery: pipeline(ids, 'web', { aggregation: 'count', bucket: '1d', groupBy: 'country' }) },
          { type: 'bar_chart', title: 'Web payload per day by platform', w: 4, config: { stacked: false, unit: 'bytes' }, dataQuery: pipeline(ids, 'web', { field: 'bytes', aggregation: 'sum', bucket: '1d', groupBy: 'platform' }) },
        ],
      },
    ]),
  }
}

function workflows(ids: DemoIds): DashboardSpec {
  const runs = (query: Parameters<typeof metric>[2]) => metric(ids, 'workflow.runs', query)
  return {
    key: 'workflows',
    name: 'Workflow runs',
    description: 'Runs of four scheduled workflows by status, how long they and their stages take, and what they process.',
    tags: ['demo', 'workflows'],
    refreshInterval: 60,
    widgets: layoutRows([
      {
        h: 3,
        widgets: [
          { type: 'stat_card', title: 'Runs', w: 3, config: { sparkline: true, showChange: true }, dataQuery: runs({ aggregation: 'sum', bucket: '1h' }) },
          {
            type: 'stat_card',
            title: 'Failed runs',
            w: 3,
            config: { sparkline: true, showChange: true, ...limits(5, 15, 'above') },
            dataQuery: runs({ aggregation: 'sum', bucket: '1h', filters: { status: 'Failed' } }),
          },
          {
            type: 'stat_card',
            title: 'Average run duration',
            w: 3,
            config: { unit: 's', sparkline: true, showChange: true, ...limits(60, 120, 'above') },
            dataQuery: metric(ids, 'workflow.run_duration', { aggregation: 'avg', bucket: '1h' }),
          },
          { type: 'stat_card', title: 'Records processed', w: 3, config: { sparkline: true, showChange: true }, dataQuery: metric(ids, 'workflow.records_processed', { aggregation: 'sum', bucket: '1h' }) },
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'bar_chart', title: 'Runs per day by status', w: 8, config: { stacked: true }, dataQuery: runs({ aggregation: 'sum', bucket: '1d', groupBy: 'status' }) },
          text(
            'About this dashboard',
            [
              '### Workflow runs (demo)',
              'Four scheduled workflows: **Orders import** (every 15 minutes), **Inventory refresh** (30 minutes), **CRM sync** (hourly) and the **Nightly ERP export**.',
              '',
              '- **Three days ago, 10:00–12:30 UTC** the payment provider outage made most Orders imports fail in their fetch stage.',
              '- The **CRM sync** fails every morning at 06:00 UTC, when the CRM\'s API quota resets.',
              '- The nightly export slows down as data grows and has started to hit its timeout.',
              '',
              'Runs are pushed as metrics (runs, run and stage durations, records processed) by workflow and status; click a status or a workflow to filter.',
            ].join('\n'),
          ),
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'line_chart', title: 'Run duration by workflow', w: 6, config: { unit: 's' }, dataQuery: metric(ids, 'workflow.run_duration', { aggregation: 'avg', groupBy: 'workflow' }) },
          { type: 'bar_chart', title: 'Average stage duration per day', w: 6, config: { stacked: false, unit: 's' }, dataQuery: metric(ids, 'workflow.stage_duration', { aggregation: 'avg', bucket: '1d', groupBy: 'stage' }) },
        ],
      },
      {
        h: 7,
        widgets: [
          { type: 'pie_chart', title: 'Runs by workflow', w: 4, config: { donut: true }, dataQuery: runs({ aggregation: 'sum', bucket: '1d', groupBy: 'workflow' }) },
          { type: 'table', title: 'Failed runs by workflow', w: 4, config: { pageSize: 10, sortBy: 'value', sortDirection: 'desc' }, dataQuery: runs({ aggregation: 'sum', bucket: '1d', groupBy: 'workflow', filters: { status: 'Failed' } }) },
          { type: 'area_chart', title: 'Records processed by workflow', w: 4, config: { stacked: true }, dataQuery: metric(ids, 'workflow.records_processed', { aggregation: 'sum', groupBy: 'workflow' }) },
        ],
      },
    ]),
  }
}

function orders(ids: DemoIds): DashboardSpec {
  return {
    key: 'orders',
    name: 'Service orders',
    description: 'Orders and revenue by sales channel, store and status, with the daily revenue target.',
    tags: ['demo', 'orders'],
    refreshInterval: 60,
    widgets: layoutRows([
      {
        h: 3,
        widgets: [
          kpiCard(ids, 'Daily order revenue', 'Order revenue', metric(ids, 'orders.revenue', { aggregation: 'sum', bucket: '1h' }), {
            unit: 'EUR',
            ...limits(18000, 12000, 'below'),
          }),
          { type: 'stat_card', title: 'Orders', w: 3, config: { sparkline: true, showChange: true }, dataQuery: pipeline(ids, 'orders', { aggregation: 'count', bucket: '1h' }) },
          { type: 'stat_card', title: 'Average order value', w: 3, config: { unit: 'EUR', sparkline: true, showChange: true }, dataQuery: pipeline(ids, 'orders', { field: 'amount', aggregation: 'avg', bucket: '1h' }) },
          { type: 'stat_card', title: 'Items sold', w: 3, config: { sparkline: true, showChange: true }, dataQuery: pipeline(ids, 'orders', { field: 'items', aggregation: 'sum', bucket: '1h' }) },
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'bar_chart', title: 'Revenue per day by channel', w: 8, config: { stacked: true, unit: 'EUR' }, dataQuery: metric(ids, 'orders.revenue', { aggregation: 'sum', bucket: '1d', groupBy: 'channel' }) },
          text(
            'About this dashboard',
            [
              '### Service orders (demo)',
              'Orders of a retailer\'s services (delivery, installation, repair) from the **web shop**, **stores**, the **phone** line and **marketplaces**, pushed to the *Service orders* pipeline.',
              '',
              '- **Sixteen days ago** a web promotion doubled web orders for a day.',
              '- **Three days ago, 10:00–12:30 UTC** the payment outage left web and marketplace orders pending or cancelled.',
              '- Recent orders are still **pending** more often: they have not been fulfilled yet.',
              '',
              'Revenue comes from a pipeline metric on `amount`; click a channel, store or status to filter.',
            ].join('\n'),
          ),
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'line_chart', title: 'Orders per hour by status', w: 6, config: {}, dataQuery: pipeline(ids, 'orders', { aggregation: 'count', bucket: '1h', groupBy: 'status' }) },
          { type: 'pie_chart', title: 'Orders by channel', w: 6, config: { donut: true }, dataQuery: pipeline(ids, 'orders', { aggregation: 'count', bucket: '1d', groupBy: 'channel' }) },
        ],
      },
      {
        h: 8,
        widgets: [
          { type: 'table', title: 'Revenue by store', w: 6, config: { pageSize: 10, sortBy: 'value', sortDirection: 'desc', unit: 'EUR' }, dataQuery: metric(ids, 'orders.revenue', { aggregation: 'sum', bucket: '1d', groupBy: 'store' }) },
          { type: 'bar_chart', title: 'Average order value per day by channel', w: 6, config: { stacked: false, unit: 'EUR' }, dataQuery: pipeline(ids, 'orders', { field: 'amount', aggregation: 'avg', bucket: '1d', groupBy: 'channel' }) },
        ],
      },
    ]),
  }
}

/** The four demo dashboards, in the order the demo lists them. */
export function demoDashboards(ids: DemoIds): DashboardSpec[] {
  return [product(ids), pipelines(ids), workflows(ids), orders(ids)]
}
