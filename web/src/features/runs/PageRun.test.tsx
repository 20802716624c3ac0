// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { MemoryRouter, Outlet, Route, Routes } from 'react-router-dom'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OrganizationMembership } from '../auth/types.ts'
import type { RunDetail } from './api.ts'
import { PageRun } from './PageRun.tsx'

const ORG = { id: 'org-1', name: 'Acme', slug: 'acme', role: 'member', status: 'active' } as unknown as OrganizationMembership
const PIPELINE = { id: 'p-1', name: 'Orders API', type: 'polling', status: 'active', intervalSeconds: 3600, cronSchedule: null, dataSourceId: 'ds-1' }

function runDetail(partial: Partial<RunDetail>): RunDetail {
  return {
    id: 'run-1', pipelineId: 'p-1', workflowId: 'w-1', runNumber: 7, status: 'InProgress', priority: 0, triggeredBy: 'manual', triggerUserId: null,
    scheduledAt: null, startedAt: new Date(Date.now() - 3000).toISOString(), completedAt: null, durationMinutes: null, currentStage: 'fetching',
    currentStageOrder: 1, totalStages: 4, stagesCompleted: 0, progressPercentage: 0, contentProcessed: 0, bytesProcessed: 0, errorMessage: null,
    errorCode: null, retryCount: 0, parentExecutionId: null, cancelRequestedAt: null, timeoutAt: null, createdAt: new Date(Date.now() - 4000).toISOString(),
    updatedAt: new Date().toISOString(), maxRetries: 3, stages: [], fetchingHistory: [], processingHistory: [], fetchedContents: [], ...partial,
  }
}

type Answer = () => [number, unknown]

/** A fake server at the fetch edge: the last answer of each "METHOD /path" repeats. */
function fakeServer(routes: Record<string, Answer[]>) {
  const calls: string[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${url.replace('/api/v1', '').split('?')[0]}`
    calls.push(key)
    const queue = routes[key]
    const answer = queue && (queue.length > 1 ? queue.shift() : queue[0])
    if (!answer) {
      throw new Error(`unexpected request ${key}`)
    }
    const [status, body] = answer()
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  }))
  return calls
}

function setup(path = '/orgs/org-1/runs/run-1') {
  return {
    user: userEvent.setup(),
    ...render(
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route element={<Outlet context={{ org: ORG }} />}>
            <Route path="/orgs/:orgId/runs/:runId" element={<PageRun />} />
          </Route>
        </Routes>
      </MemoryRouter>,
    ),
  }
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('PageRun', () => {
  it('refreshes a running run until it ends, then stops asking', async () => {
    const calls = fakeServer({
      'GET /orgs/org-1/runs/run-1': [() => [200, runDetail({})], () => [200, runDetail({ status: 'Success', completedAt: new Date().toISOString(), durationMinutes: 0.05, stagesCompleted: 4 })]],
      'GET /orgs/org-1/pipelines/p-1': [() => [200, PIPELINE]],
    })
    setup()
    expect(await screen.findByRole('heading', { name: 'Run #7', level: 1 })).toBeTruthy()
    expect(screen.getByText('Running')).toBeTruthy()
    expect(screen.getByRole('progressbar', { name: 'Run progress' })).toBeTruthy()
    expect(await screen.findByText('Succeeded', {}, { timeout: 4000 })).toBeTruthy()
    const runCalls = () => calls.filter((call) => call === 'GET /orgs/org-1/runs/run-1').length
    const settled = runCalls()
    await new Promise((resolve) => setTimeout(resolve, 1800))
    expect(runCalls()).toBe(settled)
    expect(screen.queryByRole('button', { name: 'Cancel run' })).toBeNull()
    expect(screen.getByRole('link', { name: '← Runs of Orders API' }).getAttribute('href')).toBe('/orgs/org-1/pipelines/p-1/runs')
  }, 10_000)

  it('asks before cancelling, then shows the run as cancelling', async () => {
    const calls = fakeServer({
      'GET /orgs/org-1/runs/run-1': [() => [200, runDetail({})], () => [200, runDetail({ status: 'Cancelling', cancelRequestedAt: new Date().toISOString() })]],
      'GET /orgs/org-1/pipelines/p-1': [() => [200, PIPELINE]],
      'POST /orgs/org-1/runs/run-1/cancel': [() => [200, { id: 'run-1', runNumber: 7, status: 'Cancelling', parentExecutionId: null }]],
    })
    const { user } = setup()
    await user.click(await screen.findByRole('button', { name: 'Cancel run' }))
    expect(calls).not.toContain('POST /orgs/org-1/runs/run-1/cancel')
    expect(screen.getByText('Stop run #7?')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Yes, cancel run' }))
    await waitFor(() => expect(calls).toContain('POST /orgs/org-1/runs/run-1/cancel'))
    expect(await screen.findByText(/The worker stops at the next page or stage/)).toBeTruthy()
  })

  it('shows why a run failed and retries it as a new run', async () => {
    fakeServer({
      'GET /orgs/org-1/runs/run-1': [
        () => [200, runDetail({ status: 'Failed', completedAt: new Date().toISOString(), durationMinutes: 0.02, errorMessage: 'upstream answered HTTP 500', errorCode: 'outbound_failed' })],
      ],
      'GET /orgs/org-1/runs/run-2': [() => [200, runDetail({ id: 'run-2', runNumber: 8, status: 'Queued', startedAt: null, parentExecutionId: 'run-1' })]],
      'GET /orgs/org-1/pipelines/p-1': [() => [200, PIPELINE]],
      'POST /orgs/org-1/runs/run-1/retry': [() => [201, { id: 'run-2', runNumber: 8, status: 'Queued', parentExecutionId: 'run-1' }]],
    })
    const { user } = setup()
    expect(await screen.findByText('The run failed')).toBeTruthy()
    expect(screen.getByText('upstream answered HTTP 500')).toBeTruthy()
    expect(screen.getByText('outbound_failed')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Retry run' }))
    expect(await screen.findByRole('heading', { name: 'Run #8', level: 1 })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'the original run' }).getAttribute('href')).toBe('/orgs/org-1/runs/run-1')
  })

  it('offers a way back when the run does not exist', async () => {
    fakeServer({ 'GET /orgs/org-1/runs/run-1': [() => [404, { error: { code: 'not_found', message: 'run not found' } }]] })
    setup()
    expect(await screen.findByText('Not found')).toBeTruthy()
    expect(screen.getByRole('link', { name: '← All pipelines' })).toBeTruthy()
  })
})
