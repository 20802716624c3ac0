/** Whether a live `data` event (GET /orgs/{orgId}/live) concerns any of the page's sources. */

export interface LiveChange {
  metrics?: Array<{ id: string; from?: string; to?: string }>
  pipelines?: string[]
  all?: string[]
}

export interface WatchedSources {
  metricIds: Set<string>
  pipelineIds: Set<string>
}

export function touchesSources(change: LiveChange, watched: WatchedSources): boolean {
  const all = change.all ?? []
  if (watched.metricIds.size > 0 && all.some((kind) => kind === 'metric' || kind === 'metrics')) return true
  if (watched.pipelineIds.size > 0 && all.some((kind) => kind === 'pipeline' || kind === 'pipelines')) return true
  if ((change.metrics ?? []).some((metric) => watched.metricIds.has(metric.id))) return true
  return (change.pipelines ?? []).some((id) => watched.pipelineIds.has(id))
}
