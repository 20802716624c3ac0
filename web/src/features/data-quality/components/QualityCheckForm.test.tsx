// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { QualityCheckForm } from './QualityCheckForm.tsx'

const PATH = '/orgs/org-1/pipelines/p-1/quality-checks'

/** A fake server at the fetch edge: records each request body and answers with `answer`. */
function fakeServer(answer: (body: unknown) => [number, unknown]) {
  const bodies: unknown[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    expect(`${init.method} ${url}`).toBe(`POST /api/v1${PATH}`)
    const body = JSON.parse(String(init.body)) as unknown
    bodies.push(body)
    const [status, json] = answer(body)
    return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } })
  }))
  return bodies
}

function setup() {
  const onSaved = vi.fn()
  return { user: userEvent.setup(), onSaved, ...render(<QualityCheckForm orgId="org-1" pipelineId="p-1" onSaved={onSaved} />) }
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('QualityCheckForm', () => {
  it('checks the fields before asking the server, and shows each problem next to its input', async () => {
    const bodies = fakeServer(() => [201, {}])
    const { user } = setup()
    await user.click(screen.getByRole('button', { name: 'Add check' }))
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Enter a name')).toBeTruthy()
    expect(screen.getByText('Enter at least one field')).toBeTruthy()
    expect(bodies).toEqual([])
  })

  it('shows the fields of the chosen type and sends a freshness check', async () => {
    const bodies = fakeServer((body) => [201, { id: 'c-1', ...(body as object) }])
    const { user, onSaved } = setup()
    await user.type(screen.getByLabelText('Name'), 'Fresh orders')
    await user.selectOptions(screen.getByLabelText('Check type'), 'freshness')
    expect(screen.queryByLabelText('Pass threshold (%)')).toBeNull()
    await user.clear(screen.getByLabelText('Maximum age (minutes)'))
    await user.type(screen.getByLabelText('Maximum age (minutes)'), '30')
    await user.selectOptions(screen.getByLabelText('On failure'), 'pause')
    await user.click(screen.getByRole('button', { name: 'Add check' }))
    await waitFor(() => expect(onSaved).toHaveBeenCalled())
    expect(bodies).toEqual([{ name: 'Fresh orders', checkType: 'freshness', enabled: true, onFailure: 'pause', threshold: 1, config: { maxAgeMinutes: 30 } }])
  })

  it("puts the server's validation details under the matching input", async () => {
    fakeServer(() => [400, { error: { code: 'validation_failed', message: 'body.config.pattern is invalid', details: [{ field: 'body.config.pattern', message: 'may repeat without bound at most three times' }] } }])
    const { user } = setup()
    await user.type(screen.getByLabelText('Name'), 'Codes')
    await user.selectOptions(screen.getByLabelText('Check type'), 'accuracy')
    await user.type(screen.getByLabelText('Field'), 'code')
    await user.type(screen.getByLabelText('Pattern (optional)'), 'a+b+c+d+')
    await user.click(screen.getByRole('button', { name: 'Add check' }))
    await screen.findByText('May repeat without bound at most three times')
    expect(screen.getByLabelText('Pattern (optional)').getAttribute('aria-invalid')).toBe('true')
  })
})
