import { useEffect, useRef, useState } from 'react'
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom'
import { useAuth } from '../auth/AuthContext.ts'
import { canManage } from '../organizations/api.ts'
import { useCurrentOrg } from '../organizations/useCurrentOrg.ts'
import { Logo } from './Logo.tsx'
import { OrgSwitcher } from './OrgSwitcher.tsx'
import { UserMenu } from './UserMenu.tsx'

function NavItem({ to, children }: { to: string; children: string }) {
  return (
    <li>
      <NavLink to={to} className={({ isActive }) => `nav-link${isActive ? ' nav-link--active' : ''}`}>
        {children}
      </NavLink>
    </li>
  )
}

/** Top bar (brand, organization switcher, user menu) and the left navigation around every signed-in page. */
export function AppShell() {
  const { user } = useAuth()
  const { org } = useCurrentOrg()
  const location = useLocation()
  const [navOpen, setNavOpen] = useState(false)
  const mainRef = useRef<HTMLElement>(null)
  const firstRender = useRef(true)

  useEffect(() => {
    setNavOpen(false)
    if (firstRender.current) {
      firstRender.current = false
      return
    }
    // After navigating from the menus, move focus to the page (unless the page focused a field itself).
    const active = document.activeElement
    if (!active || active === document.body || active.closest('.sidenav, .topbar')) {
      mainRef.current?.focus({ preventScroll: true })
    }
    window.scrollTo({ top: 0 })
  }, [location.pathname])

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="nav-toggle btn btn--ghost" aria-expanded={navOpen} aria-controls="sidenav" onClick={() => setNavOpen((value) => !value)}>
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <Link to="/" className="brand" aria-label="Tessera home">
          <Logo />
        </Link>
        <OrgSwitcher />
        <div className="topbar-spacer" />
        <UserMenu />
      </header>
      <div className="app-body">
        <nav id="sidenav" className={`sidenav${navOpen ? ' sidenav--open' : ''}`} aria-label="Main">
          <div className="sidenav-inner">
            {org ? (
              <div className="nav-group">
                <p className="nav-heading">{org.name}</p>
                <ul>
                  <NavItem to={`/orgs/${org.id}/dashboards`}>Dashboards</NavItem>
                  <NavItem to={`/orgs/${org.id}/members`}>Members</NavItem>
                  <NavItem to={`/orgs/${org.id}/teams`}>Teams</NavItem>
                  <NavItem to={`/orgs/${org.id}/data-sources`}>Data sources</NavItem>
                  <NavItem to={`/orgs/${org.id}/pipelines`}>Pipelines</NavItem>
                  <NavItem to={`/orgs/${org.id}/metrics`}>Metrics</NavItem>
                  <NavItem to={`/orgs/${org.id}/explore`}>Explore</NavItem>
                  <NavItem to={`/orgs/${org.id}/queries`}>Queries</NavItem>
                  <NavItem to={`/orgs/${org.id}/mcp-analytics`}>MCP analytics</NavItem>
                  {canManage(org.role) ? <NavItem to={`/orgs/${org.id}/api-keys`}>API keys</NavItem> : null}
                  {canManage(org.role) ? <NavItem to={`/orgs/${org.id}/audit`}>Audit log</NavItem> : null}
                  <NavItem to={`/orgs/${org.id}/settings`}>Organization settings</NavItem>
                </ul>
              </div>
            ) : (
              <div className="nav-group">
                <p className="nav-heading">Organization</p>
                <ul>
                  <NavItem to="/orgs/new">Create organization</NavItem>
                </ul>
              </div>
            )}
            <div className="nav-group">
              <p className="nav-heading">You</p>
              <ul>
                <NavItem to="/account">Account</NavItem>
              </ul>
            </div>
            {user?.isInstanceAdmin ? (
              <div className="nav-group">
                <p className="nav-heading">Administration</p>
                <ul>
                  <NavItem to="/admin/settings">Settings</NavItem>
                  <NavItem to="/admin/users">Users</NavItem>
                  <NavItem to="/admin/organizations">Organizations</NavItem>
                  <NavItem to="/admin/storage">Storage</NavItem>
                  <NavItem to="/admin/health">Health</NavItem>
                  <NavItem to="/admin/database">Database</NavItem>
                  <NavItem to="/admin/backups">Backups</NavItem>
                  <NavItem to="/admin/errors">Errors</NavItem>
                  <NavItem to="/admin/requests">Requests</NavItem>
                  <NavItem to="/admin/mail">Mail outbox</NavItem>
                  <NavItem to="/admin/audit">Audit log</NavItem>
                </ul>
              </div>
            ) : null}
          </div>
        </nav>
        {navOpen ? <div className="nav-backdrop" onClick={() => setNavOpen(false)} aria-hidden="true" /> : null}
        <main id="main" ref={mainRef} tabIndex={-1} className="main">
          <Outlet />
        </main>
      </div>
    </div>
  )
}
