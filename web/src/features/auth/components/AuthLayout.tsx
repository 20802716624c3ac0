import { useEffect, type ReactNode } from 'react'
import { Link } from 'react-router-dom'
import { Logo } from '../../shell/Logo.tsx'

/** The centred card used by every signed-out page. */
export function AuthLayout({ title, description, children, footer }: { title: string; description?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Tessera`
  }, [title])
  return (
    <div className="auth-page">
      <main className="auth-card card" aria-labelledby="auth-title">
        <Link to="/" className="auth-logo" aria-label="Tessera home">
          <Logo />
        </Link>
        <h1 id="auth-title">{title}</h1>
        {description ? <p className="auth-description">{description}</p> : null}
        {children}
      </main>
      {footer ? <div className="auth-footer">{footer}</div> : null}
    </div>
  )
}
