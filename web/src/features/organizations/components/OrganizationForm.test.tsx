// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Organization } from '../api.ts'
import { OrganizationForm } from './OrganizationForm.tsx'

function setup(onCreated = vi.fn()) {
  return { user: userEvent.setup(), onCreated, ...render(<OrganizationForm onCreated={onCreated} />) }
}

function respondWith(status: number, body: unknown) {
  const fetchMock = vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }))
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('OrganizationForm', () => {
  it('derives the slug from the name until the slug is edited', async () => {
    const { user } = setup()
    await user.type(screen.getByRole('textbox', { name: 'Organization name' }), 'Acme Analytics, Inc.')
    expect(screen.getByRole('textbox', { name: 'URL name (slug)' })).toHaveProperty('value', 'acme-analytics-inc')

    await user.clear(screen.getByRole('textbox', { name: 'URL name (slug)' }))
    await user.type(screen.getByRole('textbox', { name: 'URL name (slug)' }), 'acme')
    await user.type(screen.getByRole('textbox', { name: 'Organization name' }), ' Group')
    expect(screen.getByRole('textbox', { name: 'URL name (slug)' })).toHaveProperty('value', 'acme')
  })

  it('shows a missing name next to the field and focuses it, without calling the server', async () => {
    const fetchMock = respondWith(201, {})
    const { user, onCreated } = setup()
    await user.click(screen.getByRole('button', { name: 'Create organization' }))
    const name = screen.getByRole('textbox', { name: 'Organization name' })
    expect(name.getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Enter a name for the organization').id).toBe(name.getAttribute('aria-describedby')?.split(' ').find((id) => id.endsWith('-error')))
    await waitFor(() => expect(document.activeElement).toBe(name))
    expect(fetchMock).not.toHaveBeenCalled()
    expect(onCreated).not.toHaveBeenCalled()
  })

  it("puts the server's field error under the slug and focuses it", async () => {
    respondWith(409, { error: { code: 'slug_taken', message: 'This slug is taken', details: [{ field: 'body.slug', message: 'is already used by another organization' }] } })
    const { user, onCreated } = setup()
    await user.type(screen.getByRole('textbox', { name: 'Organization name' }), 'Acme')
    await user.click(screen.getByRole('button', { name: 'Create organization' }))
    const slug = screen.getByRole('textbox', { name: 'URL name (slug)' })
    await waitFor(() => expect(slug.getAttribute('aria-invalid')).toBe('true'))
    expect(screen.getByText('Is already used by another organization')).toBeTruthy()
    await waitFor(() => expect(document.activeElement).toBe(slug))
    expect(screen.queryByRole('alert')).toBeNull()
    expect(onCreated).not.toHaveBeenCalled()
  })

  it('shows an error without details in the form alert', async () => {
    respondWith(403, { error: { code: 'forbidden', message: 'Organization creation is disabled on this instance' } })
    const { user } = setup()
    await user.type(screen.getByRole('textbox', { name: 'Organization name' }), 'Acme')
    await user.click(screen.getByRole('button', { name: 'Create organization' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Organization creation is disabled on this instance')
    await waitFor(() => expect(document.activeElement).toBe(alert))
  })

  it('posts name and slug and hands the created organization over', async () => {
    const created: Organization = { id: '8d3c1f4e-3b0a-4c59-9a57-1f6a1b2c3d4e', name: 'Acme', slug: 'acme', description: null, status: 'active', role: 'owner', createdAt: '2026-01-01T00:00:00Z' }
    const fetchMock = respondWith(201, created)
    const { user, onCreated } = setup()
    await user.type(screen.getByRole('textbox', { name: 'Organization name' }), 'Acme')
    await user.click(screen.getByRole('button', { name: 'Create organization' }))
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created))
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/orgs')
    expect(init.method).toBe('POST')
    expect(JSON.parse(String(init.body))).toEqual({ name: 'Acme', slug: 'acme' })
  })
})
