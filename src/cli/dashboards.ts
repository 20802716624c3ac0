import { readFile, writeFile } from 'node:fs/promises'
import pg from 'pg'
import { sql } from 'kysely'
import type { Config } from '../platform/config.ts'
import { withTenant, type Trx } from '../platform/db.ts'
import { AppError } from '../platform/errors.ts'
import { startRuntime } from '../platform/runtime.ts'
import type { ViewContext } from '../modules/dashboards/dashboards.service.ts'
import { exportDashboard, importDashboard, resolveDashboardId } from '../modules/dashboard-transfer/dashboard-transfer.service.ts'
import { asOrgRole, type OrgActor } from '../modules/organizations/org-actor.ts'

/**
 * `tessera dashboards export|import`: the export and import endpoints from a shell, so
 * dashboards can live in git. The command acts as one member of the organization (--as, by
 * default its owner) through the same services, in a tenant transaction where Row-Level
 * Security and the dashboard permissions apply as they do for that member's requests.
 */

const CLI_VIEW: ViewContext = { sessionId: 'cli', ip: null, userAgent: 'tessera-cli' }

interface MemberOptions {
  org: string
  as?: string | undefined
}

/** A service error's message is already written for people; the code says which kind it is. */
function plain(error: unknown): Error {
  if (error instanceof AppError) {
    return new Error(`${error.message} (${error.code})`)
  }
  return error as Error
}

async function asMember<T>(config: Config, options: MemberOptions, fn: (trx: Trx, actor: OrgActor) => Promise<T>): Promise<T> {
  const runtime = await startRuntime(config, { migrate: true, log: () => undefined, poolSize: 2 })
  try {
    // Finding the member is an operator lookup (the owner role, like `tessera user create --admin`).
    const owner = new pg.Client({ connectionString: runtime.ownerUrl })
    await owner.connect()
    let member: { organization_id: string; user_id: string } | undefined
    try {
      const { rows } = await owner.query<{ organization_id: string; user_id: string }>('select organization_id, user_id from private.operator_organization_member($1, $2)', [options.org, options.as ?? null])
      member = rows[0]
    } finally {
      await owner.end()
    }
    if (!member) {
      throw new Error(options.as
        ? `${options.as} is not an active member of organization ${options.org} (give the organization's id or slug)`
        : `no organization ${options.org} with an active owner (give the organization's id or slug)`)
    }
    const { organization_id: orgId, user_id: userId } = member
    return await withTenant(runtime.services.db, { userId, orgId, sessionId: 'cli', userAgent: CLI_VIEW.userAgent ?? undefined }, async (trx) => {
      const { rows } = await sql<{ role: string | null }>`select private.current_org_role() as role`.execute(trx)
      const role = rows[0]?.role
      if (!role) throw new Error(`the member is not active in organization ${options.org}`)
      return fn(trx, { userId, orgId, role: asOrgRole(role) })
    })
  } catch (error) {
    throw plain(error)
  } finally {
    await runtime.close()
  }
}

/** Prints the dashboard's document (or writes it to --out). The dashboard is named by id or slug. */
export async function exportDashboardFromCli(config: Config, dashboard: string, options: MemberOptions & { out?: string | undefined }): Promise<void> {
  const document = await asMember(config, options, async (trx, actor) => {
    return exportDashboard(trx, actor, await resolveDashboardId(trx, actor, dashboard), CLI_VIEW)
  })
  const text = `${JSON.stringify(document, null, 2)}\n`
  if (options.out) {
    await writeFile(options.out, text)
    process.stdout.write(`exported “${document.dashboard.name}” (${document.widgets.length} widgets) to ${options.out}\n`)
  } else {
    process.stdout.write(text)
  }
}

export async function importDashboardFromCli(config: Config, file: string, options: MemberOptions & { allowMissing?: boolean | undefined }): Promise<void> {
  let body: unknown
  try {
    body = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new Error(`cannot read ${file} as JSON: ${(error as Error).message}`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error(`${file} is not a dashboard document (a JSON object)`)
  }
  const created = await asMember(config, options, (trx, actor) => {
    if (actor.role === 'viewer') throw new Error('viewers cannot import dashboards; pass --as with the email of a member, admin or owner')
    return importDashboard(trx, actor, body as Record<string, unknown>, { allowMissing: options.allowMissing ?? false }, CLI_VIEW)
  })
  process.stdout.write(`imported “${created.name}” as ${created.id} (slug ${created.slug})\n`)
}
