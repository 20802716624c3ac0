import { useEffect, useId, useRef, type ReactNode } from 'react'

/**
 * A modal on the native <dialog> (focus trap, Escape and the backdrop come with it). Rendered
 * only while open; closing goes through `onClose`.
 */
export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null)
  const headingId = useId()
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal()
  }, [])
  return (
    <dialog ref={ref} className={`dash-dialog${wide ? ' dash-dialog--wide' : ''}`} aria-labelledby={headingId} onCancel={(event) => { event.preventDefault(); onClose() }}>
      <div className="dash-dialog-header">
        <h2 id={headingId}>{title}</h2>
        <button type="button" className="btn btn--ghost btn--icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="dash-dialog-body">{children}</div>
    </dialog>
  )
}
