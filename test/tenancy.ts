import { randomBytes } from 'node:crypto'
import type { App } from '../src/app.ts'
import { registerUser, type Session } from './app.ts'

/** Test plumbing for organizations, members, teams and API keys, all through the API. */

export function uniqueSlug(prefix = 'org'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

export interface OrgFixture {
  id: string
  slug: string
  owner: Session
}

export async function createOrg(app: App, owner: Session, options: { name?: string; slug?: string } = {}): Promise<OrgFixture> {
  const slug = options.slug ?? uniqueSlug()
  const response = await app.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: options.name ?? `Org ${slug}`, slug } })
  if (response.statusCode !== 201) {
    throw new Error(`create org failed: ${response.statusCode} ${response.body}`)
  }
  return { id: (response.json() as { id: string }).id, slug, owner }
}

/** Registers a user and adds them to the org with the role (directly: the account exists). */
export async function addMember(app: App, org: OrgFixture, role: 'owner' | 'admin' | 'member' | 'viewer', by: Session = org.owner): Promise<Session> {
  const user = await registerUser(app)
  const response = await app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/members`, headers: by.headers, payload: { email: user.email, role } })
  if (response.statusCode !== 201 || (response.json() as { status: string }).status !== 'added') {
    throw new Error(`add member failed: ${response.statusCode} ${response.body}`)
  }
  return user
}

export async function createTeam(app: App, org: OrgFixture, name = `Team ${randomBytes(3).toString('hex')}`): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/teams`, headers: org.owner.headers, payload: { name } })
  if (response.statusCode !== 201) {
    throw new Error(`create team failed: ${response.statusCode} ${response.body}`)
  }
  return (response.json() as { id: string }).id
}

export async function createApiKey(app: App, org: OrgFixture, scopes: string[], by: Session = org.owner): Promise<{ id: string; key: string }> {
  const response = await app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/api-keys`, headers: by.headers, payload: { name: 'test key', scopes } })
  if (response.statusCode !== 201) {
    throw new Error(`create api key failed: ${response.statusCode} ${response.body}`)
  }
  return response.json() as { id: string; key: string }
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` }
}
