import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { OrgRole } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { createKpi, deleteKpi, getKpi, listKpis, updateKpi } from './kpis.service.ts'
import {
  CreateKpiBody,
  CreateMetricBody,
  KpiListQuery,
  KpiParams,
  KpiResponse,
  MetricListQuery,
  MetricParams,
  MetricResponse,
  UpdateKpiBody,
  UpdateMetricBody,
} from './metrics.schema.ts'
import { createMetric, deleteMetric, getMetric, listMetrics, updateMetric } from './metrics.service.ts'

const tags = ['metrics']
/** Reads are open to every member and to API keys with the read scope (as for pipelines). */
const READ = { auth: 'any', scope: 'read' } as const
/** Owners, admins and members define metrics and KPIs; viewers only read (the policies agree). */
const WRITERS: OrgRole[] = ['owner', 'admin', 'member']
const write = { roles: WRITERS }

/** Metric and KPI definitions. Points: points.routes.ts; series: the timeseries module. */
export function metricRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/metrics', {
      config: READ,
      schema: { tags, summary: "The organization's metrics (search by name, filter by tag or source)", params: OrgParams, querystring: MetricListQuery, response: { 200: Type.Object({ metrics: Type.Array(MetricResponse) }) } },
    }, async (request) => ({ metrics: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listMetrics(trx, actor, request.query)) }))

    app.post('/orgs/:orgId/metrics', {
      schema: {
        tags,
        summary: 'Define a metric (owner, admin, member)',
        description:
          'source push (default): points come from POST …/metrics/{metricId}/points. pipeline: pipelineId + valuePath (JSONPath in each stored record) and ' +
          'dimensionPaths. data_source: dataSourceId (postgresql or mysql) + calculationMethod (a SELECT returning value [, timestamp] [, dimension columns]) run every refreshFrequency seconds.',
        params: OrgParams,
        body: CreateMetricBody,
        response: { 201: MetricResponse },
      },
    }, async (request, reply) => reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) => createMetric(trx, actor, request.body), write)))

    app.get('/orgs/:orgId/metrics/:metricId', {
      config: READ,
      schema: { tags, summary: 'A metric', params: MetricParams, response: { 200: MetricResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getMetric(trx, actor, request.params.metricId)))

    app.patch('/orgs/:orgId/metrics/:metricId', {
      schema: { tags, summary: 'Change a metric (owner, admin, member)', params: MetricParams, body: UpdateMetricBody, response: { 200: MetricResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => updateMetric(trx, actor, request.params.metricId, request.body), write))

    app.delete('/orgs/:orgId/metrics/:metricId', {
      schema: { tags, summary: 'Delete a metric with its KPIs and all its points (owner, admin, member)', params: MetricParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteMetric(trx, actor, request.params.metricId), write)
      return reply.code(204).send(null)
    })

    app.get('/orgs/:orgId/kpis', {
      config: READ,
      schema: { tags, summary: "The organization's KPIs (optionally of one metric)", params: OrgParams, querystring: KpiListQuery, response: { 200: Type.Object({ kpis: Type.Array(KpiResponse) }) } },
    }, async (request) => ({ kpis: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listKpis(trx, actor, request.query.metricId)) }))

    app.post('/orgs/:orgId/kpis', {
      schema: {
        tags,
        summary: 'Define a KPI on a metric (owner, admin, member)',
        description: 'targetType exact / minimum / maximum compare the period value with targetValue; range needs targetValue (lower) and targetMax (upper).',
        params: OrgParams,
        body: CreateKpiBody,
        response: { 201: KpiResponse },
      },
    }, async (request, reply) => reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) => createKpi(trx, actor, request.body), write)))

    app.get('/orgs/:orgId/kpis/:kpiId', {
      config: READ,
      schema: { tags, summary: 'A KPI', params: KpiParams, response: { 200: KpiResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getKpi(trx, actor, request.params.kpiId)))

    app.patch('/orgs/:orgId/kpis/:kpiId', {
      schema: { tags, summary: 'Change a KPI (owner, admin, member)', params: KpiParams, body: UpdateKpiBody, response: { 200: KpiResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => updateKpi(trx, actor, request.params.kpiId, request.body), write))

    app.delete('/orgs/:orgId/kpis/:kpiId', {
      schema: { tags, summary: 'Delete a KPI (owner, admin, member)', params: KpiParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteKpi(trx, actor, request.params.kpiId), write)
      return reply.code(204).send(null)
    })
  }
}
