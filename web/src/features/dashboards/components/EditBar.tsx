import { useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'

/** The editor's toolbar: add, undo (also Ctrl+Z), save, cancel (asks first when there are changes). */
export function EditBar({ canUndo, dirty, saving, error, onAdd, onUndo, onSave, onCancel, onReload }: {
  canUndo: boolean
  dirty: boolean
  saving: boolean
  error: { conflict: boolean; message: string } | undefined
  onAdd: () => void
  onUndo: () => void
  onSave: () => void
  onCancel: () => void
  onReload: () => void
}) {
  const [confirmCancel, setConfirmCancel] = useState(false)
  return (
    <div className="dash-editbar" role="toolbar" aria-label="Dashboard editor">
      <div className="dash-editbar-row">
        <span className="dash-editbar-label">Editing{dirty ? ' · unsaved changes' : ''}</span>
        <Button variant="secondary" onClick={onAdd}>
          + Add widget
        </Button>
        <Button variant="ghost" onClick={onUndo} disabled={!canUndo} title="Undo (Ctrl+Z)">
          ↶ Undo
        </Button>
        <span className="topbar-spacer" />
        {confirmCancel ? (
          <span className="inline-actions">
            <span>Discard your changes?</span>
            <Button variant="danger" onClick={onCancel}>
              Discard changes
            </Button>
            <Button variant="ghost" onClick={() => setConfirmCancel(false)}>
              Keep editing
            </Button>
          </span>
        ) : (
          <Button variant="ghost" onClick={() => (dirty ? setConfirmCancel(true) : onCancel())}>
            Cancel
          </Button>
        )}
        <Button variant="primary" busy={saving} busyLabel="Saving…" onClick={onSave}>
          Save
        </Button>
      </div>
      {error ? (
        <Alert title={error.conflict ? 'This dashboard changed meanwhile' : 'Could not save'}>
          <p>{error.message}</p>
          {error.conflict ? (
            <Button variant="secondary" onClick={onReload}>
              Reload the dashboard
            </Button>
          ) : null}
        </Alert>
      ) : null}
    </div>
  )
}
