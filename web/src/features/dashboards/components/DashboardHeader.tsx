import { useEffect } from 'react'
import { ConfirmButton } from '../../../components/ConfirmButton.tsx'
import type { Dashboard } from '../api.ts'
import type { Draft } from '../dashboardDraft.ts'
import { parseTags } from './CreateDashboardDialog.tsx'
import { Menu } from './Menu.tsx'
import { StarButton } from './StarButton.tsx'

/** Name, description, tags, star, the public badge and the dashboard's actions; in edit mode the settings fields. */
export function DashboardHeader({ dashboard, editing, draft, onDraft, onEdit, onShare, onPermissions, onVersions, onUsage, onStar, onDuplicate, onDelete, pdfUrl }: {
  dashboard: Dashboard
  editing: boolean
  draft: Draft
  onDraft: (update: (draft: Draft) => Draft) => void
  onEdit: () => void
  onShare: () => void
  /** Who may see and change it; offered to admins of the dashboard only. */
  onPermissions: () => void
  onVersions: () => void
  onUsage: () => void
  onStar: () => void
  onDuplicate: () => void
  onDelete: () => Promise<void>
  pdfUrl: string | undefined
}) {
  useEffect(() => {
    document.title = `${dashboard.name} · Tessera`
  }, [dashboard.name])
  const canEdit = dashboard.permission !== 'view'
  if (editing) {
    return (
      <header className="dash-header dash-header--editing">
        <div className="dash-settings">
          <label className="field">
            <span>Name</span>
            <input value={draft.name} maxLength={255} onChange={(event) => { const name = event.target.value; onDraft((current) => ({ ...current, name })) }} />
          </label>
          <label className="field">
            <span>Description</span>
            <input value={draft.description ?? ''} onChange={(event) => { const description = event.target.value; onDraft((current) => ({ ...current, description: description || null })) }} />
          </label>
          <label className="field">
            <span>Tags</span>
            <input defaultValue={draft.tags.join(', ')} onBlur={(event) => { const tags = parseTags(event.target.value); onDraft((current) => (current.tags.join() === tags.join() ? current : { ...current, tags })) }} />
          </label>
        </div>
      </header>
    )
  }
  return (
    <header className="dash-header">
      <div className="dash-header-main">
        <div className="dash-title-row">
          <h1>{dashboard.name}</h1>
          <StarButton starred={dashboard.starred} name={dashboard.name} onToggle={onStar} />
          {dashboard.isPublic ? (
            <span className="badge badge--warning dash-public" title="Anyone with the link can view" aria-label="Public: anyone with the link can view">
              Public
            </span>
          ) : null}
          {dashboard.restricted ? (
            <span className="badge badge--muted" title="Only the people and teams in Permissions (and owners and admins) can see it">
              Restricted
            </span>
          ) : null}
        </div>
        {dashboard.description ? <p className="page-description">{dashboard.description}</p> : null}
        {dashboard.tags.length > 0 ? (
          <p className="dash-tags">
            {dashboard.tags.map((tag) => (
              <span key={tag} className="badge badge--muted">
                {tag}
              </span>
            ))}
          </p>
        ) : null}
      </div>
      <div className="dash-header-actions">
        {canEdit ? (
          <button type="button" className="btn btn--primary" onClick={onEdit}>
            Edit
          </button>
        ) : null}
        <button type="button" className="btn btn--secondary" onClick={onShare}>
          Share
        </button>
        <button type="button" className="btn btn--secondary" onClick={onVersions}>
          Versions
        </button>
        <Menu label="More actions" summaryClassName="btn btn--ghost" popoverClassName="dash-menu-popover--right">
            <button type="button" className="popover-item" onClick={onDuplicate}>
              Duplicate
            </button>
            <button type="button" className="popover-item" onClick={onUsage}>
              Usage
            </button>
            {dashboard.permission === 'admin' ? (
              <button type="button" className="popover-item" onClick={onPermissions}>
                Permissions
              </button>
            ) : null}
            {pdfUrl ? (
              <a className="popover-item" href={pdfUrl} download>
                Export PDF
              </a>
            ) : null}
            {canEdit ? (
              <div className="popover-item popover-item--action">
                <ConfirmButton label="Delete" subject={dashboard.name} onConfirm={onDelete} />
              </div>
            ) : null}
        </Menu>
      </div>
    </header>
  )
}
