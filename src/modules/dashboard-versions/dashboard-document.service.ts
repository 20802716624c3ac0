import type { Updateable } from 'kysely'
import type { AppDashboards } from '../../platform/db.generated.ts'
import type { Db } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import { cleanTags, load, reload, type ViewContext } from '../dashboards/dashboards.service.ts'
import { toWidgetResponse, validateWidget, type WidgetShape } from '../dashboards/widgets.service.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import type { DataQuery } from '../widget-data/widget-data.schema.ts'
import * as repo from './dashboard-document.repository.ts'
import { recordVersion } from './dashboard-versions.record.ts'
import { latestVersion, lockDashboardVersions } from './dashboard-versions.repository.ts'
import type { SaveDocumentBody, SavedDocument } from './dashboard-versions.schema.ts'

const EDIT = 2

interface FieldError {
  field: string
  message: string
}

function invalid(details: FieldError[]): AppError {
  const shown = details.slice(0, 5).map((d) => `${d.field} ${d.message}`).join('; ')
  return new AppError('validation_failed', 400, details.length > 5 ? `${shown}; and ${details.length - 5} more` : shown, { details })
}

/**
 * A widget whose source could not be found on import keeps `config.missingSource` (e.g.
 * "metric 'orders'") and no data query until someone picks one: the document save accepts it,
 * so the dashboard stays editable as a whole.
 */
const awaitsSource = (shape: WidgetShape) => shape.dataQuery === null && typeof shape.config.missingSource === 'string'

/** The field-level problems of one widget of the document, under `widgets/<index>/`. */
async function widgetErrors(db: Db, orgId: string, index: number, widget: SaveDocumentBody['widgets'][number], existing: Set<string>, seen: Set<string>): Promise<FieldError[]> {
  const at = (field: string) => `widgets/${index}/${field}`
  const errors: FieldError[] = []
  if (widget.id !== undefined) {
    const id = widget.id.toLowerCase()
    if (!existing.has(id)) errors.push({ field: at('id'), message: 'is not a widget of this dashboard (leave the id out to create a widget)' })
    else if (seen.has(id)) errors.push({ field: at('id'), message: 'is listed twice' })
    seen.add(id)
  }
  if (!widget.title.trim()) errors.push({ field: at('title'), message: 'must not be blank' })
  const shape: WidgetShape = { type: widget.type, position: widget.position, config: widget.config ?? {}, dataQuery: (widget.dataQuery ?? null) as DataQuery | null }
  try {
    // The single-widget endpoints' rules, so a widget valid there is valid here and back.
    await validateWidget(db, orgId, shape)
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error
    const details = (error.details as FieldError[] | undefined) ?? [{ field: '', message: error.message }]
    errors.push(...details.filter((d) => !(awaitsSource(shape) && d.field === 'dataQuery')).map((d) => ({ field: at(d.field), message: d.message })))
  }
  return errors
}

export interface SaveOptions {
  /** Restore also brings back the grid settings, which the document body does not carry. */
  layout?: unknown
}

/**
 * Saves a whole dashboard at once (the editor's save, restore, import): settings, then every
 * widget — listed with an id updated, without one created, missing ones deleted — and one
 * version. The route's transaction makes it all or nothing; every widget is checked before
 * anything is written. With baseVersion, a save that started from an older version than the
 * latest is refused (409 version_conflict), so two editors never silently overwrite each other.
 */
export async function saveDocument(db: Db, actor: OrgActor, dashboardId: string, body: SaveDocumentBody, view: ViewContext | null, options: SaveOptions = {}): Promise<SavedDocument> {
  await load(db, actor, dashboardId, EDIT)
  // Held until commit: the version check below, the writes and the new version number go together.
  await lockDashboardVersions(db, actor.orgId, dashboardId)
  const latest = (await latestVersion(db, actor.orgId, dashboardId))?.version ?? 0
  if (body.baseVersion !== undefined && body.baseVersion !== latest) {
    throw new AppError(
      'version_conflict',
      409,
      `This dashboard was saved by someone else since you opened it: the latest version is ${latest} and your changes start from version ${body.baseVersion}. Reload it to see their changes, then save again.`,
      { details: { latestVersion: latest, baseVersion: body.baseVersion } },
    )
  }

  const current = await repo.listWidgets(db, actor.orgId, dashboardId)
  const existing = new Set(current.map((w) => w.id))
  const errors: FieldError[] = []
  const name = body.name?.trim()
  if (body.name !== undefined && !name) errors.push({ field: 'name', message: 'must not be blank' })
  const seen = new Set<string>()
  for (const [index, widget] of body.widgets.entries()) {
    errors.push(...(await widgetErrors(db, actor.orgId, index, widget, existing, seen)))
  }
  if (errors.length > 0) {
    throw invalid(errors)
  }

  const values: Updateable<AppDashboards> = {}
  if (name) values.name = name
  if (body.description !== undefined) values.description = body.description
  if (body.tags !== undefined) values.tags = cleanTags(body.tags)
  // A document carries the whole theme: it replaces the saved one (PATCH merges instead).
  if (body.theme !== undefined) values.theme = JSON.stringify(body.theme)
  if (body.filters !== undefined) values.filters = JSON.stringify(body.filters)
  if (body.refreshInterval !== undefined) values.refresh_interval = body.refreshInterval
  if (options.layout !== undefined) values.layout = JSON.stringify(options.layout)
  await repo.updateSettings(db, actor.orgId, dashboardId, values)

  await repo.deleteWidgetsExcept(db, actor.orgId, dashboardId, [...seen])
  for (const widget of body.widgets) {
    // A source picked for a widget that was waiting for one ends the wait.
    const { missingSource: _missing, ...picked } = widget.config ?? {}
    const config = widget.dataQuery ? picked : (widget.config ?? {})
    const fields = {
      widget_type: widget.type,
      title: widget.title.trim(),
      description: widget.description ?? null,
      position: JSON.stringify(widget.position),
      config: JSON.stringify(config),
      data_query: JSON.stringify(widget.dataQuery ?? {}),
      ...(widget.cacheDuration === undefined ? {} : { cache_duration: widget.cacheDuration }),
    }
    if (widget.id !== undefined) {
      await repo.updateWidget(db, actor.orgId, dashboardId, widget.id.toLowerCase(), fields)
    } else {
      await repo.insertWidget(db, { organization_id: actor.orgId, dashboard_id: dashboardId, ...fields })
    }
  }

  if (view) {
    await repo.logUsage(db, { organization_id: actor.orgId, dashboard_id: dashboardId, user_id: actor.userId, action: 'edit', session_id: view.sessionId, ip_address: view.ip, user_agent: view.userAgent })
  }
  const version = await recordVersion(db, actor, dashboardId, body.summary)
  return {
    dashboard: await reload(db, actor, dashboardId),
    widgets: (await repo.listWidgets(db, actor.orgId, dashboardId)).map(toWidgetResponse),
    version,
  }
}
