import { PageHeader } from '../../components/PageHeader.tsx'
import { Spinner } from '../../components/Loading.tsx'
import { useApi } from '../../lib/useApi.ts'
import { useAuth } from '../auth/AuthContext.ts'
import type { AccountSession } from './api.ts'
import { PasswordSection } from './components/PasswordSection.tsx'
import { ProfileSection } from './components/ProfileSection.tsx'
import { SessionsSection } from './components/SessionsSection.tsx'
import { TwoFactorSection } from './components/TwoFactorSection.tsx'

export function PageAccount() {
  const { user } = useAuth()
  const sessions = useApi<{ sessions: AccountSession[] }>('/me/sessions')
  if (!user) {
    return <Spinner />
  }
  return (
    <div className="page page--narrow">
      <PageHeader title="Your account" description="Profile, password, two-factor authentication and the places you are signed in." />
      <ProfileSection user={user} />
      <PasswordSection onChanged={sessions.reload} />
      <TwoFactorSection user={user} />
      <SessionsSection state={sessions} />
    </div>
  )
}
