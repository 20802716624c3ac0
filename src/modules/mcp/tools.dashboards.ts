import { z } from 'zod'
import { getDashboard, listDashboards, viewContext } from '../dashboards/dashboards.service.ts'
import { resolveRange } from '../dashboards/data-range.ts'
import { dashboardData, listWidgets } from '../dashboards/widgets.service.ts'
import { listMetrics } from '../metrics/metrics.service.ts'
import { savedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { SERIES_CACHE_TTL_SECONDS } from '../timeseries/series.cache.ts'
import { metricSeries } from '../timeseries/series.service.ts'
import { inTransaction } from '../widget-data/widget-data.service.ts'
import { defineTool } from './mcp.tool.ts'

const id = (what: string) => z.guid().describe(`The ${what}'s id (a UUID)`)
const dateTime = (what: string) => z.iso.datetime({ offset: true }).describe(what)
const cacheTtl = (ctx: { services: { settings: { integer(key: string, fallback: number): Promise<number> } } }) =>
  ctx.services.settings.integer('timeseries.cache_ttl_seconds', SERIES_CACHE_TTL_SECONDS)

export const listDashboardsTool = defineTool({
  name: 'list_dashboards',
  title: 'List dashboards',
  description:
    'Lists the dashboards of your organization that you may see, with their id, name, description, tags and view counts. ' +
    'Use the id with get_dashboard to read a dashboard with its widgets and their current data.',
  input: z.strictObject({
    search: z.string().min(1).max(255).optional().describe('Part of the name (typo-tolerant)'),
    tag: z.string().min(1).max(50).optional().describe('Only dashboards with this tag'),
    starred: z.boolean().optional().describe('Only dashboards you starred'),
    sort: z.enum(['recent', 'views', 'name', 'updated']).optional().describe('Order (default recent)'),
    limit: z.number().int().min(1).max(200).default(50).describe('At most this many (default 50)'),
    offset: z.number().int().min(0).max(100_000).default(0).describe('Skip this many (paging)'),
  }),
  async run(ctx, args) {
    const result = await ctx.inOrg((trx, actor) =>
      listDashboards(trx, actor, { q: args.search, tag: args.tag, starred: args.starred, sort: args.sort, limit: args.limit, offset: args.offset }))
    return { data: result }
  },
})

export const getDashboardTool = defineTool({
  name: 'get_dashboard',
  title: 'Get a dashboard with its data',
  description:
    "Reads one dashboard: its settings, every widget (type, title, position, data query) and each widget's current data over a time range " +
    '(default: the last 24 hours). Data widgets answer status ok with their series or table, or status error with the reason; text and image widgets status static.',
  input: z.strictObject({
    dashboardId: id('dashboard'),
    range: z.string().regex(/^[1-9][0-9]{0,3}[mhd]$/).optional().describe('A window ending now, e.g. 15m, 24h, 30d (instead of from and to)'),
    from: dateTime('Start of the range (ISO 8601 with offset)').optional(),
    to: dateTime('End of the range (ISO 8601 with offset); default now').optional(),
    tz: z.string().min(1).max(64).optional().describe('IANA time zone for day, week and month buckets (default UTC)'),
    filters: z.record(z.string(), z.string()).optional().describe('Dimension → value filters replacing the saved ones, e.g. {"region":"eu"}'),
  }),
  async run(ctx, args) {
    const ttl = await cacheTtl(ctx)
    const savedQueries = savedQueryRunContext(ctx.services)
    const query = resolveRange({
      ...(args.range === undefined ? {} : { range: args.range }),
      ...(args.from === undefined ? {} : { from: args.from }),
      ...(args.to === undefined ? {} : { to: args.to }),
      ...(args.tz === undefined ? {} : { tz: args.tz }),
      ...(args.filters === undefined ? {} : { filters: JSON.stringify(args.filters) }),
    })
    return ctx.inOrg(async (trx, actor) => {
      const dashboard = await getDashboard(trx, actor, args.dashboardId, viewContext(ctx.request))
      const { widgets } = await listWidgets(trx, actor, args.dashboardId)
      const data = await dashboardData(inTransaction(trx), actor, args.dashboardId, query, ttl, savedQueries)
      const byId = new Map(data.widgets.map((widget) => [widget.id, widget]))
      return {
        data: {
          dashboard,
          range: { from: data.from, to: data.to, asOf: data.asOf },
          widgets: widgets.map((widget) => {
            const { id: _id, ...answer } = byId.get(widget.id) ?? { id: widget.id, status: 'static' }
            return { ...widget, data: answer }
          }),
        },
      }
    })
  },
})

export const listMetricsTool = defineTool({
  name: 'list_metrics',
  title: 'List metrics',
  description:
    "Lists your organization's metrics (id, name, display name, unit, aggregation, source: push, pipeline or data_source, tags). " +
    'Use the id with query_metric to read its values over time.',
  input: z.strictObject({
    search: z.string().min(1).max(255).optional().describe('Part of the name or display name'),
    tag: z.string().min(1).max(100).optional().describe('Only metrics with this tag'),
    source: z.enum(['push', 'pipeline', 'data_source']).optional().describe('Only metrics fed this way'),
  }),
  async run(ctx, args) {
    const metrics = await ctx.inOrg((trx, actor) => listMetrics(trx, actor, { ...(args.search && { search: args.search }), ...(args.tag && { tag: args.tag }), ...(args.source && { source: args.source }) }))
    return { data: { metrics } }
  },
})

export const queryMetricTool = defineTool({
  name: 'query_metric',
  title: 'Query a metric',
  description:
    "Reads a metric's points aggregated by time bucket: one value per bucket (with count, min and max), oldest first; empty buckets are left out. " +
    'Optionally grouped by a dimension (top 20 values, the rest as "other") and filtered on dimensions. The range is at most five years.',
  input: z.strictObject({
    metricId: id('metric (from list_metrics)'),
    from: dateTime('Inclusive start (ISO 8601 with offset); default 24 hours before to').optional(),
    to: dateTime('Exclusive end (ISO 8601 with offset); default now').optional(),
    bucket: z.enum(['auto', '1m', '5m', '15m', '1h', '1d', '1w', '1mo']).default('auto').describe('Bucket size; auto: the finest giving at most ~300 points'),
    aggregation: z.enum(['sum', 'avg', 'count', 'min', 'max']).optional().describe("How points of a bucket combine (default: the metric's own aggregation)"),
    groupBy: z.string().min(1).max(100).optional().describe('A dimension to split the series by'),
    filters: z.record(z.string().min(1).max(100), z.string().max(1000)).optional().describe('Dimension → value; points must match all, e.g. {"region":"eu"}'),
    tz: z.string().min(1).max(64).optional().describe('IANA time zone for day, week and month buckets (default UTC)'),
  }),
  async run(ctx, args) {
    const ttl = await cacheTtl(ctx)
    const series = await ctx.inOrg((trx, actor) =>
      metricSeries(trx, actor, args.metricId, {
        bucket: args.bucket,
        ...(args.from === undefined ? {} : { from: args.from }),
        ...(args.to === undefined ? {} : { to: args.to }),
        ...(args.aggregation === undefined ? {} : { agg: args.aggregation }),
        ...(args.groupBy === undefined ? {} : { groupBy: args.groupBy }),
        ...(args.tz === undefined ? {} : { tz: args.tz }),
        filters: args.filters ?? {},
      }, ttl))
    return { data: { metricId: args.metricId, ...series }, cacheHit: series.cache === 'hit' }
  },
})
