import type { ReactNode } from 'react'
import { ApiError, errorMessage } from '../lib/api.ts'
import type { ApiState } from '../lib/useApi.ts'
import { Alert } from './Alert.tsx'
import { Button } from './Button.tsx'

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  )
}

/** The failure of a page's main request, with a way forward. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const notFound = error instanceof ApiError && error.status === 404
  const forbidden = error instanceof ApiError && error.status === 403
  return (
    <Alert tone="error" title={notFound ? 'Not found' : forbidden ? 'No access' : 'Could not load this page'}>
      <p>{errorMessage(error)}</p>
      {onRetry && !notFound && !forbidden ? (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </Alert>
  )
}

/** Renders loading, error or the data of a useApi state. */
export function Loader<T>({ state, label, children }: { state: ApiState<T>; label?: string; children: (data: T) => ReactNode }) {
  if (state.data === undefined) {
    if (state.error !== undefined) {
      return <LoadError error={state.error} onRetry={state.reload} />
    }
    return <Spinner label={label} />
  }
  return (
    <>
      {state.error !== undefined ? <LoadError error={state.error} onRetry={state.reload} /> : null}
      {children(state.data)}
    </>
  )
}
