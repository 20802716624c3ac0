// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router-dom'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setCsrfToken } from '../../lib/api.ts'
import { AuthProvider } from './AuthProvider.tsx'
import { PageSignIn } from './PageSignIn.tsx'

const USER = {
  id: '0b6c1f8e-2d5a-4f3e-9c7b-1a2b3c4d5e6f',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  firstName: 'Ada',
  lastName: 'Lovelace',
  avatarUrl: null,
  timezone: 'UTC',
  locale: 'en_US',
  status: 'active',
  emailVerified: true,
  twoFactorEnabled: true,
  isInstanceAdmin: false,
}

type Handler = (init: RequestInit) => [number, unknown]

/** A fake server at the fetch edge: one handler per "METHOD /path", answered in order. */
function fakeServer(routes: Record<string, Handler[]>) {
  const calls: Array<{ key: string; body: unknown; headers: Record<string, string> }> = []
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${url.replace('/api/v1', '').split('?')[0]}`
    calls.push({ key, body: init.body ? JSON.parse(String(init.body)) : undefined, headers: init.headers as Record<string, string> })
    const queue = routes[key]
    const handler = queue && (queue.length > 1 ? queue.shift() : queue[0])
    if (!handler) {
      throw new Error(`unexpected request ${key}`)
    }
    const [status, body] = handler(init)
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  })
  vi.stubGlobal('fetch', fetchMock)
  return calls
}

function setup(path = '/login?next=/account') {
  return {
    user: userEvent.setup(),
    ...render(
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider>
          <Routes>
            <Route path="/login" element={<PageSignIn />} />
            <Route path="/account" element={<h1>Account page</h1>} />
          </Routes>
        </AuthProvider>
      </MemoryRouter>,
    ),
  }
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
  setCsrfToken(undefined)
})

describe('PageSignIn', () => {
  it('asks for the two-factor code after the password, shows a wrong code next to the field, then continues to ?next', async () => {
    const calls = fakeServer({
      'GET /me': [() => [401, { error: { code: 'unauthenticated', message: 'Sign in first' } }], () => [200, { user: USER, organizations: [], csrfToken: 'csrf-after-mfa' }]],
      'GET /setup': [() => [200, { required: false, tokenRequired: false }]],
      'POST /auth/login': [() => [200, { mfaRequired: true }]],
      'POST /auth/login/mfa': [
        () => [401, { error: { code: 'invalid_mfa_code', message: 'The code is wrong, expired or already used', details: [{ field: 'code', message: 'is not valid' }] } }],
        () => [200, { user: USER, csrfToken: 'csrf-after-mfa' }],
      ],
    })
    const { user } = setup()

    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'ada@example.com')
    await user.type(screen.getByLabelText('Password'), 'correct horse battery staple')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))

    const code = await screen.findByRole('textbox', { name: 'Authentication code' })
    expect(screen.getByRole('heading', { name: 'Two-factor authentication' })).toBeTruthy()
    await user.type(code, '000 000')
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }))

    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'))
    expect(screen.getByText('Is not valid')).toBeTruthy()
    await waitFor(() => expect(document.activeElement).toBe(code))

    await user.clear(code)
    await user.type(code, '123456')
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }))
    expect(await screen.findByRole('heading', { name: 'Account page' })).toBeTruthy()

    const mfaCalls = calls.filter((call) => call.key === 'POST /auth/login/mfa')
    expect(mfaCalls.map((call) => call.body)).toEqual([{ code: '000000' }, { code: '123456' }])
    expect(mfaCalls[0]?.headers['x-requested-with']).toBe('XMLHttpRequest')
  })

  it('reports wrong credentials in the alert and keeps the email', async () => {
    fakeServer({
      'GET /me': [() => [401, { error: { code: 'unauthenticated', message: 'Sign in first' } }]],
      'GET /setup': [() => [200, { required: false, tokenRequired: false }]],
      'POST /auth/login': [() => [401, { error: { code: 'invalid_credentials', message: 'Email or password is incorrect' } }]],
    })
    const { user } = setup('/login?email=ada%40example.com')
    expect(await screen.findByRole('textbox', { name: 'Email' })).toHaveProperty('value', 'ada@example.com')
    await user.type(screen.getByLabelText('Password'), 'wrong password')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('Email or password is incorrect')
    await waitFor(() => expect(document.activeElement).toBe(alert))
    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveProperty('value', 'ada@example.com')
  })
})
