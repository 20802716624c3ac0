// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Mapping } from '../api.ts'
import { MappingEditor } from './MappingEditor.tsx'

const ORG = 'org-1'
const PIPELINE = '0b6c1f8e-2d5a-4f3e-9c7b-1a2b3c4d5e6f'
const SAMPLE = JSON.stringify([{ id: 1, price: '12.5' }, { id: 2, price: 'n/a' }])

type Handler = (body: unknown) => [number, unknown]

/** A fake server at the fetch edge, one handler per "METHOD /path". */
function fakeServer(routes: Record<string, Handler>) {
  const calls: Array<{ key: string; body: unknown }> = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const key = `${init.method ?? 'GET'} ${url.replace('/api/v1', '').split('?')[0]}`
      const body = init.body ? (JSON.parse(String(init.body)) as unknown) : undefined
      calls.push({ key, body })
      const handler = routes[key]
      if (!handler) {
        throw new Error(`unexpected request ${key}`)
      }
      const [status, answer] = handler(body)
      return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } })
    }),
  )
  return calls
}

function setup({ mapping = null, sample = SAMPLE }: { mapping?: Mapping | null; sample?: string } = {}) {
  const onSaved = vi.fn()
  return { user: userEvent.setup(), onSaved, ...render(<MappingEditor orgId={ORG} pipelineId={PIPELINE} mapping={mapping} initialSample={sample} readOnly={false} onSaved={onSaved} />) }
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('MappingEditor', () => {
  it('suggests fields from the sample and previews the rows and the rejected records', async () => {
    const calls = fakeServer({
      [`POST /orgs/${ORG}/mappings/preview`]: () => [
        200,
        { rows: [{ index: 0, data: { id: 1, price: 12.5 }, recordTime: null }], errors: [{ index: 1, code: 'cast_failed', field: 'price', message: "'n/a' is not a number" }], filtered: 0 },
      ],
    })
    const { user } = setup()
    await user.click(screen.getByRole('button', { name: 'Suggest fields from the sample' }))
    const price = screen.getByRole('group', { name: 'Field 2' })
    expect(within(price).getByRole('textbox', { name: 'Source path (JSONPath)' })).toHaveProperty('value', '$.price')
    await user.selectOptions(within(price).getByRole('combobox', { name: 'Type' }), 'number')

    await user.click(screen.getByRole('button', { name: 'Preview' }))
    const result = await screen.findByRole('region', { name: 'Preview result' })
    expect(within(result).getByRole('columnheader', { name: 'price' })).toBeTruthy()
    expect(within(result).getByRole('cell', { name: '12.5' })).toBeTruthy()
    expect(within(result).getByText("'n/a' is not a number")).toBeTruthy()
    expect(calls[0]?.body).toEqual({
      mapping: {
        sourceSchema: { examples: JSON.parse(SAMPLE) as unknown },
        mappings: [
          { path: '$.id', field: 'id', type: 'integer' },
          { path: '$.price', field: 'price', type: 'number' },
        ],
        transformations: [],
        timestampField: null,
      },
      sample: JSON.parse(SAMPLE) as unknown,
    })
  })

  it('checks the mapping before calling the server and marks the field', async () => {
    const calls = fakeServer({})
    const { user } = setup()
    await user.click(screen.getByRole('button', { name: 'Add field' }))
    await user.click(screen.getByRole('button', { name: 'Preview' }))
    const field = within(screen.getByRole('group', { name: 'Field 1' })).getByRole('textbox', { name: 'Field name' })
    expect(field.getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Enter a field name of 1–255 characters')).toBeTruthy()
    expect(screen.getByRole('alert').textContent).toContain('Fix the highlighted mapping fields first.')
    expect(calls).toHaveLength(0)
  })

  it('says why a sample is not JSON without calling the server', async () => {
    const calls = fakeServer({})
    const { user } = setup({ sample: '{oops' })
    await user.click(screen.getByRole('button', { name: 'Preview' }))
    expect(screen.getByRole('textbox', { name: 'Sample records (JSON)' }).getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText(/The sample is not valid JSON/)).toBeTruthy()
    expect(calls).toHaveLength(0)
  })

  it("puts the server's invalid_mapping details next to the inputs when saving", async () => {
    fakeServer({
      [`PUT /orgs/${ORG}/pipelines/${PIPELINE}/mapping`]: () => [
        400,
        { error: { code: 'invalid_mapping', message: 'Invalid mapping: mappings[0].path: Unexpected character at position 3', details: [{ field: 'mappings[0].path', message: 'Unexpected character at position 3' }] } },
      ],
    })
    const { user, onSaved } = setup()
    await user.click(screen.getByRole('button', { name: 'Add field' }))
    const row = within(screen.getByRole('group', { name: 'Field 1' }))
    await user.type(row.getByRole('textbox', { name: 'Source path (JSONPath)' }), '{{}id')
    await user.type(row.getByRole('textbox', { name: 'Field name' }), 'id')
    await user.click(screen.getByRole('button', { name: 'Save mapping' }))
    await waitFor(() => expect(row.getByRole('textbox', { name: 'Source path (JSONPath)' }).getAttribute('aria-invalid')).toBe('true'))
    expect(row.getByText('Unexpected character at position 3')).toBeTruthy()
    expect(onSaved).not.toHaveBeenCalled()
  })

  it('saves with PUT and reports the new version', async () => {
    const saved: Mapping = { sourceSchema: {}, mappings: [{ path: '$.id', field: 'id', type: 'integer' }], transformations: [], timestampField: null, version: 3, updatedAt: '2024-05-01T12:00:00Z' }
    const calls = fakeServer({ [`PUT /orgs/${ORG}/pipelines/${PIPELINE}/mapping`]: () => [200, saved] })
    const { user, onSaved } = setup({ sample: '' })
    await user.click(screen.getByRole('button', { name: 'Add field' }))
    const row = within(screen.getByRole('group', { name: 'Field 1' }))
    await user.type(row.getByRole('textbox', { name: 'Source path (JSONPath)' }), 'id')
    await user.type(row.getByRole('textbox', { name: 'Field name' }), 'id')
    await user.selectOptions(row.getByRole('combobox', { name: 'Type' }), 'integer')
    await user.click(screen.getByRole('button', { name: 'Save mapping' }))
    expect(await screen.findByText(/Mapping saved \(version 3\)/)).toBeTruthy()
    expect(onSaved).toHaveBeenCalledOnce()
    expect(calls[0]?.body).toEqual({ mappings: [{ path: '$.id', field: 'id', type: 'integer' }], transformations: [], timestampField: null })
  })
})
