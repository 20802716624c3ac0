import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { withOrg } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { previewMapping } from './mapping.preview.ts'
import { PreviewMappingBody, PreviewMappingResponse } from './mappings.schema.ts'

const tags = ['pipelines']

/** Mapping tools for the pipeline editor. Registered under the /api/v1 prefix. */
export function mappingPreviewRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/orgs/:orgId/mappings/preview', {
      config: { auth: 'session' },
      schema: {
        tags,
        summary: 'Apply a mapping to sample records without saving anything (any member)',
        params: OrgParams,
        body: PreviewMappingBody,
        response: { 200: PreviewMappingResponse },
      },
    }, async (request) => {
      // Pure computation, but only members may use it: withOrg answers 404 to everyone else.
      const result = await withOrg(services, request, request.params.orgId, async () => previewMapping(request.body.mapping, request.body.sample))
      return {
        rows: result.rows.map((row) => ({ index: row.index, data: row.data, recordTime: row.recordTime?.toISOString() ?? null })),
        errors: result.errors,
        filtered: result.filtered,
      }
    })
  }
}
