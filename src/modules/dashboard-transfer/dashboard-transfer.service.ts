import { FormatRegistry } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { insertNewDashboard, load, type ViewContext } from '../dashboards/dashboards.service.ts'
import type { DashboardResponse } from '../dashboards/dashboards.schema.ts'
import { saveDocument } from '../dashboard-versions/dashboard-document.service.ts'
import { currentSnapshot } from '../dashboard-versions/dashboard-versions.record.ts'
import type { DocumentWidget, SaveDocumentBody } from '../dashboard-versions/dashboard-versions.schema.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { DataQuery } from '../widget-data/widget-data.schema.ts'
import * as repo from './dashboard-transfer.repository.ts'
import type { SourceKind } from './dashboard-transfer.repository.ts'
import { DOCUMENT_FORMAT, DOCUMENT_FORMAT_VERSION, ImportDocument, type DashboardDocument, type PortableWidget } from './dashboard-transfer.schema.ts'

const VIEW = 1
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// TypeBox's own checker (used here, after the format is known) knows no string formats until
// they are registered; Fastify's Ajv, which checks request bodies, has its own.
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value))
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value)))

/** For each source kind: the key of its id in a widget's data query, and of its name in the document. */
const SOURCE_KEYS: Record<SourceKind, { id: string; name: string }> = {
  metric: { id: 'metricId', name: 'metric' },
  pipeline: { id: 'pipelineId', name: 'pipeline' },
  query: { id: 'queryId', name: 'query' },
}

// Data queries are handled by their `source` value, so a source added later needs only a line above.
const isSourceKind = (value: unknown): value is SourceKind => typeof value === 'string' && Object.hasOwn(SOURCE_KEYS, value)

const describeSource = (kind: string, name: string) => `${kind} '${name}'`

interface FieldError {
  field: string
  message: string
}

/** A dashboard named by its id or its slug (the CLI takes either). */
export async function resolveDashboardId(db: Db, actor: OrgActor, idOrSlug: string): Promise<string> {
  const id = UUID.test(idOrSlug) ? idOrSlug.toLowerCase() : await repo.dashboardIdBySlug(db, actor.orgId, idOrSlug)
  if (!id) throw notFound('dashboard')
  return id
}

/**
 * The dashboard as a portable document (view permission): settings and widgets, sources
 * named instead of identified. Widgets come in grid order (top to bottom, left to right) so
 * that exports of the same dashboard diff cleanly in git. Counts as an export in the usage log.
 */
export async function exportDashboard(db: Db, actor: OrgActor, dashboardId: string, view: ViewContext): Promise<DashboardDocument> {
  await load(db, actor, dashboardId, VIEW)
  const { settings, widgets } = await currentSnapshot(db, actor.orgId, dashboardId)
  const names = new Map<string, Map<string, string>>()
  for (const kind of Object.keys(SOURCE_KEYS) as SourceKind[]) {
    const ids = widgets.flatMap((w) => (w.dataQuery?.source === kind && typeof w.dataQuery[SOURCE_KEYS[kind].id] === 'string' ? [w.dataQuery[SOURCE_KEYS[kind].id] as string] : []))
    names.set(kind, await repo.namesByIds(db, actor.orgId, kind, [...new Set(ids)]))
  }
  const ordered = [...widgets].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x || a.title.localeCompare(b.title))
  const portable = ordered.map((w): PortableWidget => {
    const base = { type: w.type as PortableWidget['type'], title: w.title, description: w.description, position: w.position, config: w.config, cacheDuration: w.cacheDuration }
    if (!w.dataQuery) return { ...base, dataQuery: null }
    const kind = w.dataQuery.source
    if (!isSourceKind(kind)) {
      return { ...base, config: { ...w.config, missingSource: `${String(kind)} source` }, dataQuery: null }
    }
    const { [SOURCE_KEYS[kind].id]: id, source: _source, ...rest } = w.dataQuery
    const name = names.get(kind)?.get(String(id))
    // A source deleted since the widget was saved: the document says so instead of carrying an id.
    if (name === undefined) return { ...base, config: { ...w.config, missingSource: `${kind} (deleted)` }, dataQuery: null }
    return { ...base, dataQuery: { source: kind, [SOURCE_KEYS[kind].name]: name, ...rest } }
  })
  await repo.logExport(db, { organization_id: actor.orgId, dashboard_id: dashboardId, user_id: actor.userId, session_id: view.sessionId, ip_address: view.ip, user_agent: view.userAgent })
  const theme = settings.theme as DashboardDocument['dashboard']['theme']
  return {
    format: DOCUMENT_FORMAT,
    formatVersion: DOCUMENT_FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    dashboard: {
      name: settings.name,
      description: settings.description,
      tags: settings.tags,
      ...(theme ? { theme } : {}),
      filters: (settings.filters ?? {}) as Record<string, unknown>,
      refreshInterval: settings.refreshInterval,
    },
    widgets: portable,
  }
}

/** Refuses anything that is not a dashboard document this version reads, saying what it is instead. */
function checkDocument(body: Record<string, unknown>): ImportDocument {
  if (body.format !== DOCUMENT_FORMAT) {
    throw new AppError('invalid_dashboard_document', 400, `This is not a Tessera dashboard export: format must be "${DOCUMENT_FORMAT}", not ${JSON.stringify(body.format)}`)
  }
  if (body.formatVersion !== DOCUMENT_FORMAT_VERSION) {
    throw new AppError(
      'invalid_dashboard_document',
      400,
      `formatVersion ${JSON.stringify(body.formatVersion)} is not supported: this Tessera imports formatVersion ${DOCUMENT_FORMAT_VERSION}; export the dashboard from a Tessera of the same version`,
    )
  }
  const details = [...Value.Errors(ImportDocument, body)].slice(0, 20).map((e) => ({ field: e.path.replace(/^\//, '') || '(document)', message: e.message }))
  if (details.length > 0) {
    throw new AppError('validation_failed', 400, `The dashboard document is invalid: ${details.slice(0, 3).map((d) => `${d.field} ${d.message}`).join('; ')}`, { details })
  }
  return body as ImportDocument
}

interface Reference {
  widget: number
  title: string
  kind: SourceKind
  name: string
}

function referenceOf(widget: PortableWidget, index: number, errors: FieldError[]): Reference | null {
  const query = widget.dataQuery as Record<string, unknown> | null | undefined
  if (!query) return null
  if (!isSourceKind(query.source)) {
    errors.push({ field: `widgets/${index}/dataQuery/source`, message: `must be one of ${Object.keys(SOURCE_KEYS).join(', ')}` })
    return null
  }
  const name = query[SOURCE_KEYS[query.source].name]
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) {
    errors.push({ field: `widgets/${index}/dataQuery/${SOURCE_KEYS[query.source].name}`, message: `must name the ${query.source} (a string)` })
    return null
  }
  return { widget: index, title: widget.title, kind: query.source, name }
}

/** The portable query with the name replaced by the target organization's id, checked like a widget body is. */
function resolvedQuery(query: Record<string, unknown>, id: string, index: number, errors: FieldError[]): Record<string, unknown> | null {
  const kind = query.source as SourceKind
  const { [SOURCE_KEYS[kind].name]: _name, source: _source, ...rest } = query
  const resolved = { source: kind, [SOURCE_KEYS[kind].id]: id, ...rest }
  const first = Value.Errors(DataQuery, resolved).First()
  if (first) {
    errors.push({ field: `widgets/${index}/dataQuery`, message: `is not a valid ${kind} query (${first.path || 'query'} ${first.message})` })
    return null
  }
  return resolved
}

/**
 * A new dashboard from a portable document (version 1, "Imported"). Source names resolve to
 * the organization's metrics, pipelines and saved queries; a name with no match refuses the
 * import with 422 unresolved_references, or with allowMissing leaves that widget without a
 * data query and with config.missingSource saying what it was.
 */
export async function importDashboard(db: Db, actor: OrgActor, body: Record<string, unknown>, options: { allowMissing?: boolean }, view: ViewContext): Promise<DashboardResponse> {
  const document = checkDocument(body)
  const errors: FieldError[] = []
  const references = document.widgets.map((w, index) => referenceOf(w, index, errors))
  const ids = new Map<SourceKind, Map<string, string>>()
  for (const kind of Object.keys(SOURCE_KEYS) as SourceKind[]) {
    const names = references.flatMap((r) => (r?.kind === kind ? [r.name] : []))
    ids.set(kind, await repo.idsByNames(db, actor.orgId, kind, [...new Set(names)]))
  }
  const unresolved = references.filter((r): r is Reference => r !== null && !ids.get(r.kind)?.has(r.name))
  if (unresolved.length > 0 && !options.allowMissing) {
    const listed = [...new Set(unresolved.map((r) => describeSource(r.kind, r.name)))]
    throw new AppError(
      'unresolved_references',
      422,
      `${listed.length === 1 ? 'A source' : `${listed.length} sources`} of this dashboard ${listed.length === 1 ? 'does' : 'do'} not exist in this organization: ${listed.join(', ')}. Create them with these names, or import with allowMissing=true to leave those widgets without data.`,
      { details: unresolved },
    )
  }

  const widgets = document.widgets.map((w, index): DocumentWidget => {
    const reference = references[index]
    const base = { type: w.type, title: w.title, description: w.description ?? null, position: w.position, config: w.config ?? {}, ...(w.cacheDuration === undefined ? {} : { cacheDuration: w.cacheDuration }) }
    if (!reference || !w.dataQuery) return { ...base, dataQuery: null }
    const id = ids.get(reference.kind)?.get(reference.name)
    if (id === undefined) {
      return { ...base, config: { ...base.config, missingSource: describeSource(reference.kind, reference.name) }, dataQuery: null }
    }
    return { ...base, dataQuery: resolvedQuery(w.dataQuery, id, index, errors) as DocumentWidget['dataQuery'] }
  })
  if (errors.length > 0) {
    throw new AppError('validation_failed', 400, errors.slice(0, 3).map((e) => `${e.field} ${e.message}`).join('; '), { details: errors })
  }

  const { dashboard } = document
  const id = await insertNewDashboard(db, actor, { name: document.name ?? dashboard.name, description: dashboard.description ?? null, tags: dashboard.tags ?? [] })
  const save: SaveDocumentBody = {
    ...(dashboard.theme === undefined ? {} : { theme: dashboard.theme }),
    ...(dashboard.filters === undefined ? {} : { filters: dashboard.filters }),
    ...(dashboard.refreshInterval === undefined ? {} : { refreshInterval: dashboard.refreshInterval }),
    widgets,
    summary: `Imported${document.exportedAt ? ` (exported ${document.exportedAt})` : ''}`,
  }
  return (await saveDocument(db, actor, id, save, view)).dashboard
}
