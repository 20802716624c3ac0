import { useCallback, useEffect, useRef, useState } from 'react'
import { API_BASE } from '../../lib/api.ts'
import type { DashboardData, DataRequest } from './api.ts'
import { touchesSources, type LiveChange, type WatchedSources } from './liveEvents.ts'
import { resolveRange, type ViewState } from './viewState.ts'

/** Bursts of ingest events become one refetch. */
const LIVE_DEBOUNCE_MS = 800

export interface DashboardDataState {
  data: DashboardData | undefined
  error: unknown
  loading: boolean
  /** The request the data answers (for export links). */
  request: DataRequest | undefined
  refresh: () => void
}

/**
 * All widgets' data in one request, refetched when the view changes. With live mode or a
 * refresh interval it listens to the organization's live stream and refetches only when an
 * event names a metric or pipeline of this page (and polls at the interval for sources the
 * stream does not cover, such as saved queries).
 */
export function useDashboardData({ fetchData, view, liveOrgId, watched, refreshInterval, pollOthers, enabled = true, refetchKey = '' }: {
  fetchData: (request: DataRequest, signal: AbortSignal) => Promise<DashboardData>
  view: ViewState
  liveOrgId: string | undefined
  watched: WatchedSources
  refreshInterval: number
  pollOthers: boolean
  enabled?: boolean
  /** Changes when the widgets change (a save, a restore): their data is fetched again. */
  refetchKey?: string
}): DashboardDataState {
  const [data, setData] = useState<DashboardData | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const [loading, setLoading] = useState(true)
  const [request, setRequest] = useState<DataRequest | undefined>(undefined)
  const controller = useRef<AbortController | undefined>(undefined)
  const fetchRef = useRef(fetchData)
  fetchRef.current = fetchData
  const viewKey = JSON.stringify(view)

  const load = useCallback(() => {
    const current = JSON.parse(viewKey) as ViewState
    const range = resolveRange(current.range, new Date())
    const next: DataRequest = { ...range, tz: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', filters: current.filters }
    controller.current?.abort()
    const abort = new AbortController()
    controller.current = abort
    setLoading(true)
    setRequest(next)
    fetchRef.current(next, abort.signal)
      .then((answer) => {
        if (abort.signal.aborted) return
        setData(answer)
        setError(undefined)
      })
      .catch((caught: unknown) => {
        if (abort.signal.aborted || (caught as Error).name === 'AbortError') return
        setError(caught)
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false)
      })
  }, [viewKey])

  useEffect(() => {
    if (!enabled) return
    load()
    return () => controller.current?.abort()
  }, [enabled, load, refetchKey])

  const listening = enabled && (view.live || refreshInterval > 0)
  const watchedKey = `${[...watched.metricIds].sort().join(',')}|${[...watched.pipelineIds].sort().join(',')}`

  useEffect(() => {
    if (!listening || !liveOrgId || typeof EventSource === 'undefined' || watchedKey === '|') return
    const [metrics = '', pipelines = ''] = watchedKey.split('|')
    const sources: WatchedSources = { metricIds: new Set(metrics.split(',').filter(Boolean)), pipelineIds: new Set(pipelines.split(',').filter(Boolean)) }
    const stream = new EventSource(`${API_BASE}/orgs/${liveOrgId}/live`, { withCredentials: true })
    let timer: ReturnType<typeof setTimeout> | undefined
    stream.addEventListener('data', (event) => {
      let change: LiveChange
      try {
        change = JSON.parse((event as MessageEvent<string>).data) as LiveChange
      } catch {
        return
      }
      if (!touchesSources(change, sources)) return
      clearTimeout(timer)
      timer = setTimeout(load, LIVE_DEBOUNCE_MS)
    })
    return () => {
      clearTimeout(timer)
      stream.close()
    }
  }, [listening, liveOrgId, watchedKey, load])

  useEffect(() => {
    if (!enabled || refreshInterval <= 0 || !pollOthers) return
    const timer = setInterval(load, Math.max(5, refreshInterval) * 1000)
    return () => clearInterval(timer)
  }, [enabled, refreshInterval, pollOthers, load])

  return { data, error, loading, request, refresh: load }
}
