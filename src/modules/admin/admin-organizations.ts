import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { notFound } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { withInstanceAdmin } from './admin.access.ts'

/**
 * Instance administrators see every organization with its storage use and set its storage
 * limit. Owners and admins of an organization can't: the column is not granted to the app
 * role, and the limit changes only through private.set_organization_storage_limit.
 */

const AdminOrganization = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  status: Type.String(),
  storageUsedGb: Type.Number({ description: 'Bytes stored by pipelines, in GiB' }),
  storageLimitGb: Type.Union([Type.Integer(), Type.Null()], { description: 'null = unlimited' }),
  createdAt: Type.String({ format: 'date-time' }),
})
type AdminOrganization = Static<typeof AdminOrganization>

const ListQuery = Type.Object(
  {
    query: Type.Optional(Type.String({ maxLength: 200, description: 'Matches name and slug (case-insensitive substring)' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
)
const ListResponse = Type.Object({ organizations: Type.Array(AdminOrganization), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() })
const Params = Type.Object({ orgId: Type.String({ format: 'uuid' }) })
const UpdateBody = Type.Object(
  {
    // A type list, not anyOf: with type coercion on, ajv reads null as 0 (or 0 as null) across
    // anyOf branches, but leaves a value alone that matches one of the listed types.
    storageLimitGb: Type.Unsafe<number | null>({
      type: ['integer', 'null'],
      minimum: 0,
      maximum: 1_000_000,
      description: 'GiB the organization may store; null removes the limit. A limit below current use stops new data, it deletes nothing.',
    }),
  },
  { additionalProperties: false },
)

interface OrganizationRow {
  id: string
  name: string
  slug: string
  status: string
  storage_used_gb: string
  storage_limit_gb: number | null
  created_at: Date
}

const toResponse = (row: OrganizationRow): AdminOrganization => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  status: row.status,
  storageUsedGb: Number(row.storage_used_gb),
  storageLimitGb: row.storage_limit_gb,
  createdAt: row.created_at.toISOString(),
})

function selectOrganizations(db: Db, query: string | undefined) {
  const pattern = query?.trim() ? `%${query.trim().replace(/[\\%_]/g, (match) => `\\${match}`)}%` : null
  return db
    .selectFrom('app.organizations')
    .where('deleted_at', 'is', null)
    .$if(pattern !== null, (qb) => qb.where((eb) => eb.or([eb('name', 'ilike', pattern), eb(sql`slug::text`, 'ilike', pattern)])))
}

async function listOrganizations(db: Db, query: string | undefined, page: { limit: number; offset: number }) {
  const rows = await selectOrganizations(db, query)
    .select(['id', 'name', sql<string>`slug::text`.as('slug'), 'status', sql<string>`storage_used_gb::text`.as('storage_used_gb'), 'storage_limit_gb', 'created_at'])
    .orderBy('name')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
  const count = await selectOrganizations(db, query).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
  return { rows: rows as OrganizationRow[], total: Number(count.n) }
}

async function setStorageLimit(db: Db, orgId: string, limitGb: number | null): Promise<OrganizationRow> {
  const { rows } = await sql<{ found: boolean }>`select private.set_organization_storage_limit(${orgId}::uuid, ${limitGb}::integer) as found`.execute(db)
  if (!rows[0]?.found) {
    throw notFound('organization')
  }
  const row = await db
    .selectFrom('app.organizations')
    .select(['id', 'name', sql<string>`slug::text`.as('slug'), 'status', sql<string>`storage_used_gb::text`.as('storage_used_gb'), 'storage_limit_gb', 'created_at'])
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow()
  return row as OrganizationRow
}

export function adminOrganizationRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/organizations', {
      schema: {
        tags: ['admin'],
        summary: 'List organizations with their storage use and limit (instance administrators)',
        querystring: ListQuery,
        response: { 200: ListResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const { query, limit, offset } = request.query
      const { rows, total } = await withInstanceAdmin(services, request, (trx) => listOrganizations(trx, query, { limit, offset }))
      return { organizations: rows.map(toResponse), total, limit, offset }
    })

    app.patch('/admin/organizations/:orgId', {
      schema: {
        tags: ['admin'],
        summary: "Set an organization's storage limit (instance administrators)",
        description: 'Pushes that would pass the limit answer 507 storage_limit_exceeded; what is stored stays.',
        params: Params,
        body: UpdateBody,
        response: { 200: AdminOrganization, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      // The type list above is beyond TypeBox's static inference; the schema has checked it.
      const limitGb = request.body.storageLimitGb as number | null
      const row = await withInstanceAdmin(services, request, (trx) => setStorageLimit(trx, request.params.orgId, limitGb))
      return toResponse(row)
    })
  }
}
