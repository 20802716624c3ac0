import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react'
import { useParams, useSearchParams } from 'react-router-dom'
import { Spinner } from '../../components/Loading.tsx'
import { ApiError, errorMessage } from '../../lib/api.ts'
import { Logo } from '../shell/Logo.tsx'
import { publicApi, type PublicPayload } from './api.ts'
import { ViewControls } from './components/ViewControls.tsx'
import { WidgetFrame } from './components/WidgetFrame.tsx'
import { useDashboardData } from './useDashboardData.ts'
import { parseViewState, presetOf, withFilter, writeViewState, type ViewState } from './viewState.ts'
import { fromPublicWidget, type ViewWidget } from './widgetView.ts'

const DashboardGrid = lazy(() => import('./components/DashboardGrid.tsx').then((module) => ({ default: module.DashboardGrid })))

const NO_SOURCES = { metricIds: new Set<string>(), pipelineIds: new Set<string>() }

/** A revoked or unknown link (404), an expired embed (410) or a tampered one (403 embed_invalid). */
export function isGone(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false
  return error.status === 404 || error.status === 410 || error.status === 401 || (error.status === 403 && error.code !== 'public_view_locked')
}

/** The view the owner saved: their range and filters (viewers may change them only when allowed). */
export function ownerView(payload: PublicPayload): ViewState {
  const range = 'relative' in payload.range
    ? { kind: 'relative' as const, preset: presetOf(payload.range.relative)?.value ?? '24h' }
    : { kind: 'absolute' as const, from: payload.range.from, to: payload.range.to }
  return { range, live: false, filters: payload.filters }
}

/**
 * A shared dashboard without sign-in: `/public/:token` (a revocable link) or `/embed/:token`
 * (a signed, expiring URL). Read-only; controls only when the owner allows viewer changes.
 */
export function PagePublicDashboard({ kind }: { kind: 'public' | 'embed' }) {
  const { token = '' } = useParams()
  const client = useMemo(() => publicApi(kind, token), [kind, token])
  const [payload, setPayload] = useState<PublicPayload | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)

  useEffect(() => {
    client.payload().then(setPayload, setError)
  }, [client])

  if (error !== undefined) {
    const gone = isGone(error)
    return (
      <div className={`public-page${kind === 'embed' ? ' public-page--embed' : ''}`}>
        <div className="public-invalid card">
          <Logo />
          <h1>{gone ? 'This link is no longer valid' : 'This dashboard could not be loaded'}</h1>
          <p className="muted">
            {gone
              ? error instanceof ApiError && error.status === 410
                ? 'The embed link has expired. Ask the person who shared it for a new one.'
                : 'It may have been revoked or replaced by a new link. Ask the person who shared it for a current link.'
              : errorMessage(error)}
          </p>
        </div>
      </div>
    )
  }
  if (!payload) {
    return (
      <div className="fullscreen-center">
        <Spinner label="Loading dashboard…" />
      </div>
    )
  }
  return <PublicDashboard kind={kind} client={client} payload={payload} />
}

function PublicDashboard({ kind, client, payload }: { kind: 'public' | 'embed'; client: ReturnType<typeof publicApi>; payload: PublicPayload }) {
  const [params, setParams] = useSearchParams()
  const allow = payload.allowViewerChanges && kind === 'public'
  const saved = ownerView(payload)
  const view = allow && params.toString() !== '' ? parseViewState(params) : saved
  const setView = useCallback((next: ViewState) => setParams(writeViewState(params, next)), [params, setParams])
  const widgets = useMemo<ViewWidget[]>(() => payload.widgets.map(fromPublicWidget), [payload])
  const fetchData = useCallback((request: Parameters<typeof client.data>[0], signal: AbortSignal) => client.data(request, !allow, signal), [client, allow])
  const data = useDashboardData({ fetchData, view, liveOrgId: undefined, watched: NO_SOURCES, refreshInterval: payload.refreshInterval, pollOthers: payload.refreshInterval > 0 })
  const dataByKey = useMemo(() => new Map((data.data?.widgets ?? []).map((item) => [item.key, item])), [data.data])

  useEffect(() => {
    document.title = `${payload.name} · Tessera`
  }, [payload.name])

  const handlePick = allow ? (key: string, value: string) => setView({ ...view, filters: withFilter(view.filters, key, value) }) : undefined
  const gone = isGone(data.error)
  return (
    <div className={`public-page${kind === 'embed' ? ' public-page--embed' : ''}`}>
      {kind === 'public' ? (
        <header className="public-header">
          <div>
            <h1>{payload.name}</h1>
            {payload.description ? <p className="page-description">{payload.description}</p> : null}
          </div>
          <span className="public-brand small muted">
            Shared with <Logo />
          </span>
        </header>
      ) : null}
      {allow ? <ViewControls view={view} onChange={setView} /> : Object.keys(view.filters).length > 0 ? (
        <p className="small muted">Filtered by {Object.entries(view.filters).map(([key, value]) => `${key} = ${value}`).join(', ')}</p>
      ) : null}
      {gone ? (
        <div className="public-invalid card">
          <h2>This link is no longer valid</h2>
          <p className="muted">It was revoked or has expired while you were viewing it.</p>
        </div>
      ) : (
        <Suspense fallback={<Spinner label="Loading the grid…" />}>
          <DashboardGrid
            widgets={widgets}
            editing={false}
            renderWidget={(widget) => <WidgetFrame widget={widget} data={dataByKey.get(widget.key) ?? (data.error !== undefined ? { key: widget.key, status: 'error', error: { code: 'load_failed', message: errorMessage(data.error) } } : undefined)} onPick={handlePick} />}
          />
        </Suspense>
      )}
    </div>
  )
}
