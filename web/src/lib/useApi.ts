import { useCallback, useEffect, useRef, useState } from 'react'
import { api, type Query } from './api.ts'

export interface ApiState<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  /** Fetches again; the previous data stays visible meanwhile. */
  reload: () => void
}

/**
 * GETs `path` (null = wait) and refetches when the path or query changes. A response that
 * arrives after a newer request started is dropped, so fast filter changes can't show
 * stale rows.
 */
export function useApi<T>(path: string | null, query?: Query): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const [loading, setLoading] = useState(path !== null)
  const [version, setVersion] = useState(0)
  const queryKey = JSON.stringify(query ?? {})
  const latest = useRef(0)

  useEffect(() => {
    if (path === null) {
      return
    }
    const id = ++latest.current
    const controller = new AbortController()
    setLoading(true)
    setError(undefined)
    api
      .get<T>(path, JSON.parse(queryKey) as Query, { signal: controller.signal })
      .then((result) => {
        if (id === latest.current) {
          setData(result)
        }
      })
      .catch((caught: unknown) => {
        if (id === latest.current && (caught as Error).name !== 'AbortError') {
          setError(caught)
        }
      })
      .finally(() => {
        if (id === latest.current) {
          setLoading(false)
        }
      })
    return () => controller.abort()
  }, [path, queryKey, version])

  const reload = useCallback(() => setVersion((value) => value + 1), [])
  return { data, error, loading, reload }
}
