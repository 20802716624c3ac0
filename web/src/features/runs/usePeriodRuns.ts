import { useEffect, useState } from 'react'
import { runsApi, type Run } from './api.ts'

const PAGE = 200
/** The chart reads at most this many runs; a busier pipeline's chart says it shows the newest. */
export const MAX_CHART_RUNS = 1000

export interface PeriodRuns {
  runs: Run[] | undefined
  truncated: boolean
  error: unknown
}

/**
 * Every run since `from` (up to MAX_CHART_RUNS), read page by page: there is no per-day
 * statistics route, so the daily chart and the fastest/slowest run come from the runs list.
 */
export function usePeriodRuns(orgId: string, pipelineId: string, from: string, version: number): PeriodRuns {
  const [state, setState] = useState<PeriodRuns>({ runs: undefined, truncated: false, error: undefined })
  useEffect(() => {
    let cancelled = false
    const load = async () => {
      const runs: Run[] = []
      for (let offset = 0; offset < MAX_CHART_RUNS; offset += PAGE) {
        const page = await runsApi.list(orgId, pipelineId, { from, limit: PAGE, offset })
        runs.push(...page.runs)
        if (page.runs.length < PAGE) {
          return { runs, truncated: false }
        }
      }
      return { runs, truncated: true }
    }
    load()
      .then((result) => {
        if (!cancelled) {
          setState({ ...result, error: undefined })
        }
      })
      .catch((error: unknown) => {
        if (!cancelled) {
          setState((current) => ({ ...current, error }))
        }
      })
    return () => {
      cancelled = true
    }
  }, [orgId, pipelineId, from, version])
  return state
}
