import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { recordedRun, withOwner } from '../storage/maintenance.ts'

/**
 * analytics:refresh-views: seed 002's summary materialized views (telemetry.*_summary, see
 * db/migrations/0181) refreshed CONCURRENTLY by ops.refresh_analytics_views(), so dashboards
 * reading them are never blocked. It runs as the owner role (only a view's owner may refresh
 * it); each run is recorded in ops.maintenance_runs with the time each view took, and the
 * advisory lock of recordedRun keeps two refreshes from queueing behind each other's locks.
 */

export const ANALYTICS_VIEWS_SCHEDULE = ['*/5 * * * * analytics:refresh-views ?max=1']

export interface ViewRefresh {
  view: string
  refreshMs: number
}

export function refreshAnalyticsViews(ownerUrl: string) {
  return withOwner(ownerUrl, (client) =>
    recordedRun(client, 'analytics:refresh-views', async () => {
      const { rows } = await client.query<{ view_name: string; refresh_time_ms: number }>('select view_name, refresh_time_ms from ops.refresh_analytics_views()')
      const views: ViewRefresh[] = rows.map((row) => ({ view: `telemetry.${row.view_name}`, refreshMs: row.refresh_time_ms }))
      return { views }
    }))
}

export function analyticsViewsTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    'analytics:refresh-views': async () => {
      const run = await refreshAnalyticsViews(runtime.ownerUrl)
      logger.info({ job: 'analytics:refresh-views', outcome: run.outcome, views: run.result?.views }, 'analytics views refreshed')
    },
  }
}
