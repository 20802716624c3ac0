import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react'
import { ApiError, errorMessage, setCsrfToken, setUnauthenticatedHandler } from '../../lib/api.ts'
import { authApi } from './api.ts'
import { AuthContext, type AuthStatus, type AuthValue } from './AuthContext.ts'
import type { OrganizationMembership, SignedInResponse, User } from './types.ts'

/**
 * Loads GET /me once at start. Signed out, it asks GET /setup whether the instance still
 * needs its first administrator, so the router can send the visitor to /setup or /login.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>('loading')
  const [user, setUser] = useState<User | undefined>(undefined)
  const [organizations, setOrganizations] = useState<OrganizationMembership[]>([])
  const [loadError, setLoadError] = useState<string | undefined>(undefined)
  const [signedOutReason, setSignedOutReason] = useState<'signOut' | 'expired' | undefined>(undefined)

  const signedOutState = useCallback(async () => {
    setCsrfToken(undefined)
    setUser(undefined)
    setOrganizations([])
    const setup = await authApi.setupState()
    setStatus(setup.required ? 'setup' : 'signedOut')
  }, [])

  const refresh = useCallback(async () => {
    try {
      const me = await authApi.me()
      setCsrfToken(me.csrfToken)
      setUser(me.user)
      setOrganizations(me.organizations ?? [])
      setLoadError(undefined)
      setSignedOutReason(undefined)
      setStatus('signedIn')
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        if (error.code === 'mfa_required') {
          setStatus('mfa')
          return
        }
        try {
          await signedOutState()
        } catch (setupError) {
          setLoadError(errorMessage(setupError))
          setStatus('unreachable')
        }
        return
      }
      setLoadError(errorMessage(error))
      setStatus('unreachable')
    }
  }, [signedOutState])

  useEffect(() => {
    void refresh()
  }, [refresh])

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setCsrfToken(undefined)
      setUser(undefined)
      setOrganizations([])
      setSignedOutReason('expired')
      setStatus('signedOut')
    })
    return () => setUnauthenticatedHandler(undefined)
  }, [])

  const completeSignIn = useCallback(
    async (response: SignedInResponse): Promise<'signedIn' | 'mfa'> => {
      if (response.mfaRequired) {
        setStatus('mfa')
        return 'mfa'
      }
      if (response.csrfToken) {
        setCsrfToken(response.csrfToken)
      }
      // The login answer has no organizations; GET /me has the full picture.
      await refresh()
      return 'signedIn'
    },
    [refresh],
  )

  const signOut = useCallback(async () => {
    try {
      await authApi.logout()
    } finally {
      setCsrfToken(undefined)
      setUser(undefined)
      setOrganizations([])
      setSignedOutReason('signOut')
      setStatus('signedOut')
    }
  }, [])

  const value = useMemo<AuthValue>(
    () => ({ status, user, organizations, signedOutReason, loadError, refresh, completeSignIn, signOut }),
    [status, user, organizations, signedOutReason, loadError, refresh, completeSignIn, signOut],
  )
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}
