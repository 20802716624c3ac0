import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { LoadError, Spinner } from '../../components/Loading.tsx'
import { ApiError, errorMessage } from '../../lib/api.ts'
import { useApi } from '../../lib/useApi.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { dashboardsApi, pdfExportUrl, widgetExportUrl, type Dashboard, type GridPosition, type Widget, type WidgetData } from './api.ts'
import { DashboardHeader } from './components/DashboardHeader.tsx'
import { EditBar } from './components/EditBar.tsx'
import { PermissionsDialog } from './components/PermissionsDialog.tsx'
import { ShareDialog } from './components/ShareDialog.tsx'
import { UsagePanel } from './components/UsagePanel.tsx'
import { VersionsPanel } from './components/VersionsPanel.tsx'
import { ViewControls } from './components/ViewControls.tsx'
import { WidgetEditor } from './components/WidgetEditor.tsx'
import { WidgetFrame } from './components/WidgetFrame.tsx'
import { changeSummary, documentBody, draftFrom, withPositions, withWidget, withoutWidget, type Draft, type DraftWidget } from './dashboardDraft.ts'
import { nextFreePosition } from './gridLayout.ts'
import { useDashboardData } from './useDashboardData.ts'
import { useUndoable } from './useUndoable.ts'
import { parseViewState, withFilter, writeViewState, type ViewState } from './viewState.ts'
import { fromWidget, type ViewWidget } from './widgetView.ts'

// react-grid-layout comes with the dashboard page only.
const DashboardGrid = lazy(() => import('./components/DashboardGrid.tsx').then((module) => ({ default: module.DashboardGrid })))

/** One dashboard: its grid of widgets, the view controls, and (for editors) the editor. */
export function PageDashboard() {
  const { org } = useOrg()
  const { dashboardId = '' } = useParams()
  const dashboard = useApi<Dashboard>(`/orgs/${org.id}/dashboards/${dashboardId}`)
  const widgets = useApi<{ widgets: Widget[] }>(`/orgs/${org.id}/dashboards/${dashboardId}/widgets`)
  if (!dashboard.data || !widgets.data) {
    const error = dashboard.error ?? widgets.error
    return (
      <div className="page">
        <p className="breadcrumb">
          <Link to={`/orgs/${org.id}/dashboards`}>← All dashboards</Link>
        </p>
        {error !== undefined ? <LoadError error={error} onRetry={() => { dashboard.reload(); widgets.reload() }} /> : <Spinner label="Loading dashboard…" />}
      </div>
    )
  }
  return (
    <DashboardPage
      key={dashboardId}
      orgId={org.id}
      dashboard={dashboard.data}
      widgets={widgets.data.widgets}
      reload={() => {
        dashboard.reload()
        widgets.reload()
      }}
    />
  )
}

let newKeys = 0

function DashboardPage({ orgId, dashboard, widgets, reload }: { orgId: string; dashboard: Dashboard; widgets: Widget[]; reload: () => void }) {
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const view = parseViewState(params)
  const canEdit = dashboard.permission !== 'view'
  const editing = canEdit && params.get('edit') === '1'
  const editor = useUndoable<Draft>(draftFrom(dashboard, widgets), editing)
  const initialDraft = useRef<Draft>(editor.value)
  const baseVersion = useRef<number | undefined>(undefined)
  const [previews, setPreviews] = useState<Map<string, WidgetData>>(new Map())
  const [editingWidget, setEditingWidget] = useState<DraftWidget | undefined>(undefined)
  const [panel, setPanel] = useState<'share' | 'permissions' | 'versions' | 'usage' | undefined>(undefined)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<{ conflict: boolean; message: string } | undefined>(undefined)
  const [actionError, setActionError] = useState<string | undefined>(undefined)

  const setView = useCallback((next: ViewState) => setParams(writeViewState(params, next)), [params, setParams])
  const setEditing = (on: boolean) => {
    const next = new URLSearchParams(params)
    if (on) next.set('edit', '1')
    else next.delete('edit')
    setParams(next)
  }

  // Entering edit mode starts from what is saved, and remembers the version it is based on.
  useEffect(() => {
    if (!editing) return
    const start = draftFrom(dashboard, widgets)
    initialDraft.current = start
    editor.reset(start)
    setPreviews(new Map())
    setSaveError(undefined)
    baseVersion.current = dashboard.version ?? dashboard.latestVersion
    if (baseVersion.current === undefined) {
      dashboardsApi.versions(orgId, dashboard.id).then(
        (list) => {
          baseVersion.current = list.versions[0]?.version ?? 0
        },
        () => undefined,
      )
    }
    // Only on entering edit mode (and after a reload while editing).
  }, [editing, dashboard, widgets])

  const viewWidgets = useMemo<ViewWidget[]>(
    () => (editing
      ? editor.value.widgets.map((widget) => ({ ...fromWidget({ ...widget, id: widget.key }), key: widget.key }))
      : widgets.map(fromWidget)),
    [editing, editor.value, widgets],
  )

  const watched = useMemo(() => ({
    metricIds: new Set(widgets.flatMap((widget) => (widget.dataQuery?.source === 'metric' ? [widget.dataQuery.metricId] : []))),
    pipelineIds: new Set(widgets.flatMap((widget) => (widget.dataQuery?.source === 'pipeline' ? [widget.dataQuery.pipelineId] : []))),
  }), [widgets])
  const fetchData = useCallback((request: Parameters<typeof dashboardsApi.data>[2], signal: AbortSignal) => dashboardsApi.data(orgId, dashboard.id, request, signal), [orgId, dashboard.id])
  const data = useDashboardData({
    fetchData,
    view,
    liveOrgId: orgId,
    watched,
    refreshInterval: dashboard.refreshInterval,
    pollOthers: widgets.some((widget) => widget.dataQuery?.source === 'query'),
    enabled: widgets.length > 0,
    refetchKey: JSON.stringify(widgets.map((widget) => [widget.id, (widget as Widget & { updatedAt?: string }).updatedAt])),
  })
  const dataByKey = useMemo(() => {
    const map = new Map((data.data?.widgets ?? []).map((item) => [item.key, item]))
    if (editing) for (const [key, item] of previews) map.set(key, item)
    return map
  }, [data.data, previews, editing])

  const handlePick = useCallback((key: string, value: string) => setView({ ...view, filters: withFilter(view.filters, key, value) }), [setView, view])
  const handlePositions = useCallback((positions: Map<string, GridPosition>) => editor.change((draft) => withPositions(draft, positions)), [editor])

  const dirty = editor.value !== initialDraft.current
  const save = async () => {
    setSaving(true)
    setSaveError(undefined)
    try {
      await dashboardsApi.saveDocument(orgId, dashboard.id, documentBody(editor.value, baseVersion.current, changeSummary(initialDraft.current, editor.value)))
      setEditing(false)
      reload()
    } catch (caught) {
      const conflict = caught instanceof ApiError && (caught.code === 'version_conflict' || caught.status === 409)
      setSaveError({
        conflict,
        message: conflict ? 'Someone else saved this dashboard while you were editing it. Reload to see their version; your changes here will be lost.' : errorMessage(caught),
      })
    } finally {
      setSaving(false)
    }
  }

  const addWidget = () => {
    newKeys++
    setEditingWidget({ key: `new-${Date.now()}-${newKeys}`, type: 'line_chart', title: '', description: null, position: nextFreePosition(editor.value.widgets.map((widget) => widget.position)), config: {}, dataQuery: null })
  }

  const renderWidget = (widget: ViewWidget) => {
    const draftWidget = editing ? editor.value.widgets.find((candidate) => candidate.key === widget.key) : undefined
    const request = data.request
    return (
      <WidgetFrame
        widget={widget}
        data={dataByKey.get(widget.key) ?? (editing && !draftWidget?.id && widget.type !== 'text' && widget.type !== 'image' ? { key: widget.key, status: 'error', error: { code: 'unsaved', message: 'Preview unavailable: open the widget to load its preview.' } } : undefined)}
        onPick={editing ? undefined : handlePick}
        editing={editing}
        exports={!editing && request ? { csv: widgetExportUrl(orgId, dashboard.id, widget.key, 'csv', request), xlsx: widgetExportUrl(orgId, dashboard.id, widget.key, 'xlsx', request) } : undefined}
        toolbar={editing && draftWidget ? (
          <>
            <Button variant="ghost" className="btn--small" aria-label={`Edit widget ${widget.title}`} onClick={() => setEditingWidget(draftWidget)}>
              Edit
            </Button>
            <Button variant="ghost" className="btn--small btn--danger-text" aria-label={`Remove widget ${widget.title}`} onClick={() => editor.change((draft) => withoutWidget(draft, widget.key))}>
              Remove
            </Button>
          </>
        ) : undefined}
      />
    )
  }

  return (
    <div className="page page--dashboard">
      <p className="breadcrumb">
        <Link to={`/orgs/${orgId}/dashboards`}>← All dashboards</Link>
      </p>
      <DashboardHeader
        dashboard={dashboard}
        editing={editing}
        draft={editor.value}
        onDraft={(update) => editor.change(update)}
        onEdit={() => setEditing(true)}
        onShare={() => setPanel('share')}
        onPermissions={() => setPanel('permissions')}
        onVersions={() => setPanel('versions')}
        onUsage={() => setPanel('usage')}
        pdfUrl={data.request ? pdfExportUrl(orgId, dashboard.id, data.request) : undefined}
        onStar={() => dashboardsApi.star(orgId, dashboard.id, !dashboard.starred).then(reload, (caught: unknown) => setActionError(errorMessage(caught)))}
        onDuplicate={() => dashboardsApi.duplicate(orgId, dashboard.id).then((copy) => navigate(`/orgs/${orgId}/dashboards/${copy.id}`), (caught: unknown) => setActionError(errorMessage(caught)))}
        onDelete={async () => {
          await dashboardsApi.remove(orgId, dashboard.id)
          navigate(`/orgs/${orgId}/dashboards`)
        }}
      />
      {actionError ? <Alert>{actionError}</Alert> : null}
      {editing ? (
        <EditBar
          canUndo={editor.canUndo}
          dirty={dirty}
          saving={saving}
          error={saveError}
          onAdd={addWidget}
          onUndo={editor.undo}
          onSave={() => void save()}
          onCancel={() => setEditing(false)}
          onReload={() => {
            setSaveError(undefined)
            reload()
          }}
        />
      ) : null}
      <ViewControls view={view} onChange={setView} />
      {data.error !== undefined && !data.data ? <LoadError error={data.error} onRetry={data.refresh} /> : null}
      {viewWidgets.length === 0 ? (
        <div className="card">
          <EmptyState
            title={editing ? 'Add your first widget' : 'This dashboard has no widgets yet'}
            action={canEdit ? (
              <Button variant="primary" onClick={() => {
                if (!editing) setEditing(true)
                addWidget()
              }}>
                Add a widget
              </Button>
            ) : undefined}
          >
            <p>{canEdit ? 'Charts, stat cards, tables, text and images: each widget shows a metric, a pipeline or a saved query.' : 'Ask an editor of this dashboard to add widgets.'}</p>
          </EmptyState>
        </div>
      ) : (
        <Suspense fallback={<Spinner label="Loading the grid…" />}>
          <DashboardGrid widgets={viewWidgets} editing={editing} renderWidget={renderWidget} onPositions={handlePositions} />
        </Suspense>
      )}
      {editingWidget ? (
        <WidgetEditor
          orgId={orgId}
          widget={editingWidget}
          request={data.request ?? { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString(), tz: 'UTC', filters: {} }}
          onClose={() => setEditingWidget(undefined)}
          onSave={(saved, preview) => {
            editor.change((draft) => withWidget(draft, saved))
            if (preview) setPreviews((current) => new Map(current).set(saved.key, preview))
            setEditingWidget(undefined)
          }}
        />
      ) : null}
      {panel === 'versions' ? (
        <VersionsPanel
          orgId={orgId}
          dashboardId={dashboard.id}
          canRestore={canEdit}
          onClose={() => setPanel(undefined)}
          onRestored={() => {
            setPanel(undefined)
            reload()
            data.refresh()
          }}
        />
      ) : null}
      {panel === 'usage' ? <UsagePanel orgId={orgId} dashboardId={dashboard.id} onClose={() => setPanel(undefined)} /> : null}
      {panel === 'permissions' ? <PermissionsDialog orgId={orgId} dashboard={dashboard} onChanged={reload} onClose={() => setPanel(undefined)} /> : null}
      {panel === 'share' ? <ShareDialog orgId={orgId} dashboard={dashboard} view={view} onChanged={reload} onClose={() => setPanel(undefined)} /> : null}
    </div>
  )
}
