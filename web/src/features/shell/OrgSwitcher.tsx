import { useId } from 'react'
import { Link, useLocation } from 'react-router-dom'
import { capitalize } from '../../lib/format.ts'
import { useAuth } from '../auth/AuthContext.ts'
import { useCurrentOrg } from '../organizations/useCurrentOrg.ts'
import { useDisclosure } from './useDisclosure.ts'

const ORG_SECTIONS = ['members', 'teams', 'api-keys', 'audit', 'settings']

/** Switching keeps the section: from /orgs/A/teams/… you land on /orgs/B/teams. */
export function switchTarget(pathname: string, orgId: string): string {
  const match = /^\/orgs\/[^/]+\/([^/]+)/.exec(pathname)
  const section = match?.[1]
  return `/orgs/${orgId}/${section && ORG_SECTIONS.includes(section) ? section : 'members'}`
}

export function OrgSwitcher() {
  const { organizations } = useAuth()
  const { org } = useCurrentOrg()
  const location = useLocation()
  const { open, toggle, containerRef, buttonRef } = useDisclosure()
  const menuId = useId()

  return (
    <div className="switcher" ref={containerRef}>
      <button
        ref={buttonRef}
        type="button"
        className="switcher-button"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={org ? `Organization: ${org.name}. Switch organization` : 'Choose an organization'}
        onClick={toggle}
      >
        <span className="switcher-avatar" aria-hidden="true">
          {(org?.name ?? '?').slice(0, 1).toUpperCase()}
        </span>
        <span className="switcher-name">{org?.name ?? 'No organization'}</span>
        <span className="caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open ? (
        <div className="popover switcher-popover" id={menuId}>
          <p className="popover-heading" id={`${menuId}-heading`}>
            Your organizations
          </p>
          {organizations.length === 0 ? (
            <p className="popover-empty">You are not in any organization yet. Create one, or ask an admin of an existing one to invite you.</p>
          ) : (
            <ul className="popover-list" aria-labelledby={`${menuId}-heading`}>
              {organizations.map((candidate) => (
                <li key={candidate.id}>
                  {candidate.status === 'pending' ? (
                    <span className="popover-item popover-item--disabled">
                      <span>{candidate.name}</span>
                      <span className="muted small">Invitation pending</span>
                    </span>
                  ) : (
                    <Link
                      to={switchTarget(location.pathname, candidate.id)}
                      className={`popover-item${candidate.id === org?.id ? ' popover-item--current' : ''}`}
                      aria-current={candidate.id === org?.id ? 'true' : undefined}
                    >
                      <span>{candidate.name}</span>
                      <span className="muted small">{capitalize(candidate.role)}</span>
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          )}
          <div className="popover-footer">
            <Link to="/orgs/new" className="popover-item popover-item--action">
              + Create organization
            </Link>
          </div>
        </div>
      ) : null}
    </div>
  )
}
