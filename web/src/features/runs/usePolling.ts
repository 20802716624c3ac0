import { useEffect } from 'react'

/**
 * Calls `reload` every `intervalMs` while `active`, skipping ticks while the tab is hidden
 * (a background tab has nobody to show the numbers to) and catching up when it shows again.
 */
export function usePolling(active: boolean, intervalMs: number, reload: () => void): void {
  useEffect(() => {
    if (!active) {
      return
    }
    const tick = () => {
      if (document.visibilityState !== 'hidden') {
        reload()
      }
    }
    const timer = window.setInterval(tick, intervalMs)
    const handleVisibility = () => {
      if (document.visibilityState === 'visible') {
        reload()
      }
    }
    document.addEventListener('visibilitychange', handleVisibility)
    return () => {
      window.clearInterval(timer)
      document.removeEventListener('visibilitychange', handleVisibility)
    }
  }, [active, intervalMs, reload])
}
