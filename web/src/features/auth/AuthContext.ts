import { createContext, useContext } from 'react'
import type { OrganizationMembership, SignedInResponse, User } from './types.ts'

export type AuthStatus = 'loading' | 'setup' | 'signedOut' | 'mfa' | 'signedIn' | 'unreachable'

export interface AuthValue {
  status: AuthStatus
  user: User | undefined
  organizations: OrganizationMembership[]
  /** 'signOut' after the user signed out here; 'expired' when a request found the session gone. */
  signedOutReason: 'signOut' | 'expired' | undefined
  /** Why the last load failed when status is 'unreachable'. */
  loadError: string | undefined
  /** Reloads GET /me (after sign-in, creating an org, accepting an invitation …). */
  refresh: () => Promise<void>
  /** Applies a login/setup response; answers whether a 2FA code is still needed. */
  completeSignIn: (response: SignedInResponse) => Promise<'signedIn' | 'mfa'>
  signOut: () => Promise<void>
}

export const AuthContext = createContext<AuthValue | undefined>(undefined)

export function useAuth(): AuthValue {
  const value = useContext(AuthContext)
  if (!value) {
    throw new Error('useAuth must be used inside <AuthProvider>')
  }
  return value
}
