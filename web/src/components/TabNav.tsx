import { NavLink } from 'react-router-dom'

export interface TabLink {
  to: string
  label: string
  /** Active only on this exact path (an overview tab whose path prefixes the others). */
  end?: boolean
}

/**
 * Sections of one thing as a row of links: each is a page with its own URL (Back works, a
 * tab can be shared), and the current one carries aria-current="page". Scrolls sideways on
 * narrow screens instead of wrapping.
 */
export function TabNav({ label, tabs }: { label: string; tabs: TabLink[] }) {
  return (
    <nav className="tab-nav" aria-label={label}>
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
