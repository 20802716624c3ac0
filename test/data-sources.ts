import type { App } from '../src/app.ts'
import type { TestContext } from './app.ts'
import type { OrgFixture } from './tenancy.ts'

/** Test plumbing for data sources: the outbound allowlist and creating sources through the API. */

export async function setOutboundAllowlist(ctx: TestContext, entries: string[]): Promise<void> {
  await ctx.admin.query("update app.system_settings set setting_value = $1 where setting_key = 'security.outbound_allowlist'", [JSON.stringify(entries)])
  ctx.services.settings.invalidate()
}

export const dataSourcesUrl = (org: OrgFixture, rest = '') => `/api/v1/orgs/${org.id}/data-sources${rest}`

export interface CreatedSource {
  id: string
  [key: string]: unknown
}

export async function createDataSource(app: App, org: OrgFixture, body: Record<string, unknown>): Promise<CreatedSource> {
  const response = await app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: org.owner.headers, payload: body })
  if (response.statusCode !== 201) {
    throw new Error(`create data source failed: ${response.statusCode} ${response.body}`)
  }
  return response.json() as CreatedSource
}
