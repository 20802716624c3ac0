import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { load, type ViewContext } from '../dashboards/dashboards.service.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { saveDocument } from './dashboard-document.service.ts'
import * as repo from './dashboard-document.repository.ts'
import { diffSnapshots } from './dashboard-versions.diff.ts'
import * as versions from './dashboard-versions.repository.ts'
import type { VersionRow } from './dashboard-versions.repository.ts'
import type { SaveDocumentBody, SavedDocument, VersionDetail, VersionDetailQuery, VersionList, VersionListQuery, VersionSummary } from './dashboard-versions.schema.ts'

const VIEW = 1
const EDIT = 2

function toSummary(row: VersionRow): VersionSummary {
  return {
    version: row.version,
    summary: row.summary,
    // A co-member's name; one who left the organization is no longer visible to its members.
    author: row.author_id ? { id: row.author_id, name: row.author_name ?? 'Former member' } : null,
    createdAt: row.created_at.toISOString(),
    widgetCount: row.widget_count,
  }
}

/** A dashboard's versions, newest first (view permission). */
export async function listVersions(db: Db, actor: OrgActor, dashboardId: string, query: VersionListQuery): Promise<VersionList> {
  await load(db, actor, dashboardId, VIEW)
  const { rows, total } = await versions.listVersions(db, actor.orgId, dashboardId, query.limit ?? 50, query.offset ?? 0)
  return { versions: rows.map(toSummary), total }
}

const versionNotFound = (version: number) => new AppError('not_found', 404, `This dashboard has no version ${version}`)

/** One version with its snapshot and what changed since the version before it (or `against`). */
export async function getVersion(db: Db, actor: OrgActor, dashboardId: string, version: number, query: VersionDetailQuery): Promise<VersionDetail> {
  await load(db, actor, dashboardId, VIEW)
  const row = await versions.findVersion(db, actor.orgId, dashboardId, version)
  if (!row) throw versionNotFound(version)
  const againstNumber = query.against ?? version - 1
  const against = againstNumber >= 1 ? await versions.findVersion(db, actor.orgId, dashboardId, againstNumber) : undefined
  if (query.against !== undefined && !against) throw versionNotFound(query.against)
  return {
    ...toSummary(row),
    comparedWith: against?.version ?? null,
    snapshot: row.snapshot,
    diff: diffSnapshots(against?.snapshot ?? null, row.snapshot),
  }
}

/**
 * Makes an old version current again, as a new version "Restored version N": its settings and
 * widgets come back; widgets that still exist keep their ids (and so their links), removed
 * ones are created anew.
 */
export async function restoreVersion(db: Db, actor: OrgActor, dashboardId: string, version: number, view: ViewContext): Promise<SavedDocument> {
  await load(db, actor, dashboardId, EDIT)
  const row = await versions.findVersion(db, actor.orgId, dashboardId, version)
  if (!row) throw versionNotFound(version)
  const { settings, widgets } = row.snapshot
  const existing = new Set((await repo.listWidgets(db, actor.orgId, dashboardId)).map((w) => w.id))
  const body = {
    name: settings.name,
    description: settings.description,
    tags: settings.tags,
    theme: settings.theme,
    filters: settings.filters,
    refreshInterval: settings.refreshInterval,
    widgets: widgets.map((w) => ({
      ...(existing.has(w.id) ? { id: w.id } : {}),
      type: w.type,
      title: w.title,
      description: w.description,
      position: w.position,
      config: w.config,
      dataQuery: w.dataQuery,
      cacheDuration: w.cacheDuration,
    })),
    summary: `Restored version ${version}`,
  } as SaveDocumentBody
  try {
    return await saveDocument(db, actor, dashboardId, body, view, { layout: settings.layout })
  } catch (error) {
    // A widget of the old version may name a metric or pipeline deleted since.
    if (error instanceof AppError && error.code === 'validation_failed') {
      throw new AppError('version_not_restorable', 409, `Version ${version} cannot be restored as it was: ${error.message}`, { details: error.details })
    }
    throw error
  }
}
