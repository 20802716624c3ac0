import { useEffect, useRef } from 'react'
import { NavLink, useLocation } from 'react-router-dom'

export interface TabLink {
  to: string
  label: string
  /** Active only on this exact path (an overview tab whose path prefixes the others). */
  end?: boolean
}

/**
 * Sections of one thing as a row of links: each is a page with its own URL (Back works, a
 * tab can be shared), and the current one carries aria-current="page". Scrolls sideways on
 * narrow screens instead of wrapping, with the current tab scrolled into view.
 */
export function TabNav({ label, tabs }: { label: string; tabs: TabLink[] }) {
  const navRef = useRef<HTMLElement>(null)
  const { pathname } = useLocation()

  useEffect(() => {
    const nav = navRef.current
    const active = nav?.querySelector<HTMLElement>('[aria-current="page"]')
    if (!nav || !active || nav.scrollWidth <= nav.clientWidth) {
      return
    }
    // Only the row scrolls (scrollIntoView would scroll the page too): centre the current tab.
    const left = active.offsetLeft - (nav.clientWidth - active.offsetWidth) / 2
    nav.scrollLeft = Math.max(0, Math.min(left, nav.scrollWidth - nav.clientWidth))
  }, [pathname])

  return (
    <nav className="tab-nav" aria-label={label} ref={navRef}>
      <ul>
        {tabs.map((tab) => (
          <li key={tab.to}>
            <NavLink to={tab.to} end={tab.end} className={({ isActive }) => `tab-link${isActive ? ' tab-link--active' : ''}`}>
              {tab.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  )
}
