import fastifyMultipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import type { OrgRole } from '../../platform/auth.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { checkAndDiscover, type CheckResult } from './data-sources.checks.ts'
import {
  CreateDataSourceBody,
  CsvUploadQuery,
  CsvUploadResponse,
  DataSourceParams,
  DataSourceResponse,
  TestResultResponse,
  UpdateDataSourceBody,
  type TestResultResponse as TestResult,
} from './data-sources.schema.ts'
import { createCsvDataSource, createDataSource, deleteDataSource, getDataSource, listDataSources, recordCheck, recordDiscovery, updateDataSource } from './data-sources.service.ts'
import { parseCsvUpload } from './csv-source.ts'
import { loadDataSourceForRun } from './fetch-source.ts'

const tags = ['data-sources']
/** Every member reads; owners, admins and members write (as the RLS policies say); viewers only read. */
const WRITERS: OrgRole[] = ['owner', 'admin', 'member']
const READ = { auth: 'any', scope: 'read' } as const
const WRITE = { auth: 'any', scope: 'write' } as const

function toTestResult(result: CheckResult): TestResult {
  return result.ok ? { ok: true, latencyMs: result.latencyMs, details: result.details } : { ok: false, latencyMs: result.latencyMs, error: result.error ?? 'failed' }
}

export function dataSourceRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Scoped to this plugin: uploads stream in; the size limit is the max_file_size_mb setting.
    await app.register(fastifyMultipart, { limits: { files: 1, fields: 5 } })
    app.addContentTypeParser(['text/csv', 'application/csv'], (_request, payload, done) => done(null, payload))

    /**
     * Test and discover run outside any transaction (a slow source must not hold a database
     * connection): load in one tenant transaction, probe, record in a second one.
     */
    async function probe(request: FastifyRequest, orgId: string, id: string) {
      const source = await withOrgActor(services, request, orgId, (trx, actor) => loadDataSourceForRun(trx, actor.orgId, id, services.box), { roles: WRITERS })
      const outcome = await checkAndDiscover(services, source)
      await withOrgActor(services, request, orgId, async (trx, actor) => {
        await recordCheck(trx, actor.orgId, id, outcome.result)
        if (outcome.metadata) {
          await recordDiscovery(trx, actor.orgId, id, outcome.metadata)
        }
      }, { roles: WRITERS })
      return outcome
    }

    app.get('/orgs/:orgId/data-sources', {
      config: READ,
      schema: { tags, summary: "The organization's data sources (secrets masked)", params: OrgParams, response: { 200: Type.Object({ dataSources: Type.Array(DataSourceResponse) }) } },
    }, async (request) => ({
      dataSources: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listDataSources(trx, services.box, actor)),
    }))

    app.post('/orgs/:orgId/data-sources', {
      config: WRITE,
      schema: {
        tags,
        summary: 'Create a data source (owner, admin, member)',
        description: 'The connection is tested and the schema discovered right after creation; the answer carries healthStatus and schemaMetadata.',
        params: OrgParams,
        body: CreateDataSourceBody,
        response: { 201: DataSourceResponse },
      },
    }, async (request, reply) => {
      const { orgId } = request.params
      const created = await withOrgActor(services, request, orgId, (trx, actor) => createDataSource(trx, services.box, actor, request.body), { roles: WRITERS })
      if (created.type !== 'push') {
        await probe(request, orgId, created.id)
      }
      const source = await withOrgActor(services, request, orgId, (trx, actor) => getDataSource(trx, services.box, actor, created.id))
      return reply.code(201).send(source)
    })

    app.post('/orgs/:orgId/data-sources/csv', {
      config: WRITE,
      schema: {
        tags,
        summary: 'Create a CSV data source by uploading a file (owner, admin, member)',
        description:
          'Send multipart/form-data with one file part, or the raw file with Content-Type: text/csv. Up to the max_file_size_mb setting (413 beyond). ' +
          'The first row is the header; column types are inferred from the first 1000 rows.',
        params: OrgParams,
        querystring: CsvUploadQuery,
        response: { 201: CsvUploadResponse },
      },
    }, async (request, reply) => {
      const { orgId } = request.params
      // Check access before reading a byte of the upload.
      await withOrgActor(services, request, orgId, async () => undefined, { roles: WRITERS })
      const maxBytes = (await services.settings.integer('max_file_size_mb', 100)) * 1024 * 1024
      let stream: Readable
      let fileName: string
      if (request.isMultipart()) {
        const part = await request.file({ limits: { fileSize: maxBytes + 1, files: 1 } })
        if (!part) {
          throw new AppError('validation_failed', 400, 'The multipart body has no file part')
        }
        stream = part.file
        fileName = part.filename
      } else if (request.body && typeof (request.body as Readable).pipe === 'function') {
        stream = request.body as Readable
        fileName = request.query.name ? `${request.query.name}.csv` : 'upload.csv'
      } else {
        throw new AppError('unsupported_media_type', 415, 'Send the CSV as multipart/form-data or with Content-Type: text/csv')
      }
      const upload = await parseCsvUpload(stream, { maxBytes, ...(request.query.delimiter ? { delimiter: request.query.delimiter } : {}) })
      const name = request.query.name ?? fileName.replace(/\.csv$/i, '')
      const created = await withOrgActor(services, request, orgId, (trx, actor) =>
        createCsvDataSource(trx, services.box, actor, { name: name || 'CSV upload', description: request.query.description ?? null, fileName, upload }), { roles: WRITERS })
      return reply.code(201).send({ ...created, preview: upload.sample })
    })

    app.get('/orgs/:orgId/data-sources/:dataSourceId', {
      config: READ,
      schema: { tags, summary: 'A data source (secrets masked)', params: DataSourceParams, response: { 200: DataSourceResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getDataSource(trx, services.box, actor, request.params.dataSourceId)))

    app.patch('/orgs/:orgId/data-sources/:dataSourceId', {
      config: WRITE,
      schema: { tags, summary: 'Rename, describe or reconfigure a data source (owner, admin, member)', params: DataSourceParams, body: UpdateDataSourceBody, response: { 200: DataSourceResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => updateDataSource(trx, services.box, actor, request.params.dataSourceId, request.body), { roles: WRITERS }))

    app.delete('/orgs/:orgId/data-sources/:dataSourceId', {
      config: WRITE,
      schema: { tags, summary: 'Delete a data source and its files (owner, admin, member)', params: DataSourceParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteDataSource(trx, actor, request.params.dataSourceId), { roles: WRITERS })
      return reply.code(204).send(null)
    })

    app.post('/orgs/:orgId/data-sources/:dataSourceId/test', {
      config: WRITE,
      schema: {
        tags,
        summary: 'Test the connection (owner, admin, member)',
        description: '{ok: true, latencyMs, details} or {ok: false, latencyMs, error} with the exact failure. Updates healthStatus and, on success, schemaMetadata.',
        params: DataSourceParams,
        response: { 200: TestResultResponse },
      },
    }, async (request) => toTestResult((await probe(request, request.params.orgId, request.params.dataSourceId)).result))

    app.post('/orgs/:orgId/data-sources/:dataSourceId/discover', {
      config: WRITE,
      schema: {
        tags,
        summary: 'Discover the schema again (owner, admin, member)',
        description: 'Stores and returns schemaMetadata; a source that cannot be reached answers 400 outbound_failed with the reason.',
        params: DataSourceParams,
        response: { 200: DataSourceResponse },
      },
    }, async (request) => {
      const { orgId, dataSourceId } = request.params
      const outcome = await probe(request, orgId, dataSourceId)
      if (!outcome.result.ok) {
        throw new AppError('outbound_failed', 400, outcome.result.error ?? 'The source could not be reached')
      }
      return withOrgActor(services, request, orgId, (trx, actor) => getDataSource(trx, services.box, actor, dataSourceId))
    })
  }
}
