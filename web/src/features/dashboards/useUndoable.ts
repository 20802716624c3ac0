import { useCallback, useEffect, useState } from 'react'

const MAX_STEPS = 50

/**
 * A value with an undo history (the last 50 changes). Ctrl+Z / ⌘Z undoes while `active`,
 * except inside text fields, which keep their own undo.
 */
export function useUndoable<T>(initial: T, active: boolean) {
  const [state, setState] = useState<{ past: T[]; present: T }>({ past: [], present: initial })

  const change = useCallback((update: (current: T) => T) => {
    setState((current) => {
      const next = update(current.present)
      if (next === current.present) return current
      return { past: [...current.past, current.present].slice(-MAX_STEPS), present: next }
    })
  }, [])
  const undo = useCallback(() => {
    setState((current) => (current.past.length === 0 ? current : { past: current.past.slice(0, -1), present: current.past.at(-1) as T }))
  }, [])
  const reset = useCallback((value: T) => setState({ past: [], present: value }), [])

  useEffect(() => {
    if (!active) return
    const handleKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.shiftKey || event.key.toLowerCase() !== 'z') return
      const target = event.target as HTMLElement | null
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return
      event.preventDefault()
      undo()
    }
    window.addEventListener('keydown', handleKey)
    return () => window.removeEventListener('keydown', handleKey)
  }, [active, undo])

  return { value: state.present, canUndo: state.past.length > 0, change, undo, reset }
}
