import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../platform/auth.ts'
import { withContext } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { listSettings } from './settings.repository.ts'
import { PublicSettingsResponse, SettingKeyParams, SettingListResponse, SettingResponse, UpdateSettingBody } from './settings.schema.ts'
import { publicSettings, toSettingResponse, updateSetting } from './settings.service.ts'

export function settingsRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/settings/public', {
      schema: { tags: ['settings'], summary: 'Public system settings as { key: value } (any signed-in user)', response: { 200: PublicSettingsResponse } },
    }, async (request) => withContext(services.db, requestContext(request), (trx) => publicSettings(trx, services.config.nodeEnv)))

    app.get('/admin/settings', {
      schema: { tags: ['admin'], summary: 'All system settings (instance administrators)', response: { 200: SettingListResponse, 403: ErrorResponse } },
    }, async (request) => {
      const rows = await withInstanceAdmin(services, request, (trx) => listSettings(trx))
      return { settings: rows.map(toSettingResponse) }
    })

    app.patch('/admin/settings/:key', {
      schema: {
        tags: ['admin'],
        summary: 'Change a system setting (instance administrators)',
        description: 'Validated against the setting type, allowed values, min/max and validation rules: 400 `invalid_setting_value` names the rule, 400 `setting_readonly` for read-only settings, 404 for an unknown key.',
        params: SettingKeyParams,
        body: UpdateSettingBody,
        response: { 200: SettingResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      const row = await withInstanceAdmin(services, request, (trx, adminId) => updateSetting(trx, adminId, request.params.key, request.body))
      services.settings.invalidate()
      return toSettingResponse(row)
    })
  }
}
