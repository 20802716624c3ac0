import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** Prometheus registry for /metrics: process, HTTP, DB pool and job figures. */
export const registry = new Registry()
collectDefaultMetrics({ register: registry, prefix: 'tessera_' })
// prom-client names three gauges *_total, which promtool check metrics rejects (that suffix is
// for counters); the per-type gauges tessera_nodejs_active_{handles,requests,resources} carry the same.
for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
  registry.removeSingleMetric(`tessera_nodejs_${name}`)
}

export const httpRequests = new Counter({
  name: 'tessera_http_requests_total',
  help: 'HTTP requests by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
})

export const httpDuration = new Histogram({
  name: 'tessera_http_request_duration_seconds',
  help: 'HTTP request duration by method and route',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
})

export const dbPoolConnections = new Gauge({
  name: 'tessera_db_pool_connections',
  help: 'Database pool connections by state',
  labelNames: ['state'] as const,
  registers: [registry],
})

export const jobRuns = new Counter({
  name: 'tessera_jobs_total',
  help: 'Background jobs by task and outcome',
  labelNames: ['task', 'outcome'] as const,
  registers: [registry],
})

export const jobDuration = new Histogram({
  name: 'tessera_job_duration_seconds',
  help: 'Background job duration by task',
  labelNames: ['task'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [registry],
})

export function httpMetricsHook(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route template, not the raw URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched'
    httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) })
    httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
  })
}

/** Series query cache lookups (ts.query_cache) by outcome, for the hit rate. */
export const seriesCacheRequests = new Counter({
  name: 'tessera_series_cache_requests_total',
  help: 'Series query cache lookups by outcome (hit or miss)',
  labelNames: ['outcome'] as const,
  registers: [registry],
})
