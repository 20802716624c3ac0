import { useId } from 'react'
import { Link } from 'react-router-dom'
import { initials } from '../../lib/format.ts'
import { useAuth } from '../auth/AuthContext.ts'
import { useDisclosure } from './useDisclosure.ts'

export function UserMenu() {
  const auth = useAuth()
  const { open, toggle, containerRef, buttonRef } = useDisclosure()
  const menuId = useId()
  const user = auth.user
  if (!user) {
    return null
  }
  return (
    <div className="user-menu" ref={containerRef}>
      <button ref={buttonRef} type="button" className="user-button" aria-expanded={open} aria-controls={menuId} aria-label={`${user.name}: account menu`} onClick={toggle}>
        <span className="avatar" aria-hidden="true">
          {initials(user.name)}
        </span>
        <span className="user-name">{user.name}</span>
        <span className="caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open ? (
        <div className="popover user-popover" id={menuId}>
          <div className="popover-heading">
            <div>{user.name}</div>
            <div className="muted small">{user.email}</div>
          </div>
          <ul className="popover-list">
            <li>
              <Link to="/account" className="popover-item">
                Account settings
              </Link>
            </li>
            <li>
              <button
                type="button"
                className="popover-item"
                onClick={() => void auth.signOut()}
              >
                Sign out
              </button>
            </li>
          </ul>
        </div>
      ) : null}
    </div>
  )
}
