import { useEffect, useRef, type ReactNode } from 'react'

/**
 * A small dropdown on <details>: keyboard-operable as it is, closed again by a click outside,
 * a choice inside, or Escape.
 */
export function Menu({ label, summaryClassName, popoverClassName, children }: { label: string; summaryClassName: string; popoverClassName: string; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null)
  useEffect(() => {
    const close = (event: Event) => {
      const details = ref.current
      if (!details?.open) return
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !details.contains(event.target as Node)) details.open = false
    }
    document.addEventListener('click', close)
    document.addEventListener('keydown', close)
    return () => {
      document.removeEventListener('click', close)
      document.removeEventListener('keydown', close)
    }
  }, [])
  return (
    <details ref={ref} className="dash-menu">
      <summary className={summaryClassName} aria-label={label}>
        ⋯
      </summary>
      <div className={`popover dash-menu-popover ${popoverClassName}`} onClick={(event) => {
        // A chosen item closes the menu; the delete confirmation keeps it open.
        if ((event.target as HTMLElement).closest('.popover-item:not(.popover-item--action)')) ref.current?.removeAttribute('open')
      }}>
        {children}
      </div>
    </details>
  )
}
