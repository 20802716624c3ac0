import type { Db } from '../../platform/db.ts'
import { diffSnapshots, MAX_SUMMARY, summarize, type GridPosition, type Snapshot } from './dashboard-versions.diff.ts'
import * as repo from './dashboard-versions.repository.ts'
import type { SnapshotSource } from './dashboard-versions.repository.ts'

/**
 * Recording a version: called by every save of a dashboard (dashboards and widgets services,
 * the document save, restore, import) after its change, inside the same transaction.
 * Kept apart from the versions service so the dashboards service can import it without a cycle.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

export function toSnapshot(source: SnapshotSource): Snapshot {
  const d = source.dashboard
  return {
    settings: { name: d.name, description: d.description, tags: d.tags, theme: d.theme, filters: d.filters, refreshInterval: d.refresh_interval, layout: d.layout },
    widgets: source.widgets.map((w) => ({
      id: w.id,
      type: w.widget_type,
      title: w.title,
      description: w.description,
      position: w.position as GridPosition,
      config: isObject(w.config) ? w.config : {},
      // A stored data_query of '{}' (the column default) means "none".
      dataQuery: isObject(w.data_query) && typeof w.data_query.source === 'string' ? w.data_query : null,
      cacheDuration: w.cache_duration,
    })),
  }
}

export async function currentSnapshot(db: Db, orgId: string, dashboardId: string): Promise<Snapshot> {
  const source = await repo.snapshotSource(db, orgId, dashboardId)
  if (!source) {
    throw new Error(`dashboard ${dashboardId} vanished inside its own save`)
  }
  return toSnapshot(source)
}

/**
 * Saves the dashboard as it is now as its next version and returns the version number. Without
 * a summary, one is written from the difference to the previous version ("Added widget …").
 */
export async function recordVersion(db: Db, actor: { orgId: string; userId: string }, dashboardId: string, summary?: string): Promise<number> {
  await repo.lockDashboardVersions(db, actor.orgId, dashboardId)
  const previous = await repo.latestVersion(db, actor.orgId, dashboardId)
  const snapshot = await currentSnapshot(db, actor.orgId, dashboardId)
  const given = summary?.trim()
  // A dashboard made before versions existed has no earlier snapshot to compare with.
  const text = given ? given.slice(0, MAX_SUMMARY) : previous ? summarize(diffSnapshots(previous.snapshot, snapshot)) : 'First recorded version'
  const version = (previous?.version ?? 0) + 1
  await repo.insertVersion(db, { organization_id: actor.orgId, dashboard_id: dashboardId, version, snapshot, summary: text, author_id: actor.userId })
  return version
}
