import type { Selectable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

export type SettingRow = Selectable<DB['app.system_settings']>

/** Every setting row the caller may see (RLS: administrators see all, signed-in users the public ones). */
export function listSettings(db: Db): Promise<SettingRow[]> {
  return db.selectFrom('app.system_settings').selectAll().orderBy('setting_category').orderBy('setting_key').orderBy('environment').execute()
}

/** Public rows for 'all' and the given environment, 'all' first so the specific row can override it. */
export function listPublicSettings(db: Db, environment: string): Promise<SettingRow[]> {
  return db
    .selectFrom('app.system_settings')
    .selectAll()
    .where('is_public', '=', true)
    .where('environment', 'in', ['all', environment])
    .orderBy((eb) => eb.case().when('environment', '=', 'all').then(0).else(1).end())
    .orderBy('setting_key')
    .execute()
}

export function findSettingRows(db: Db, key: string): Promise<SettingRow[]> {
  return db.selectFrom('app.system_settings').selectAll().where('setting_key', '=', key).execute()
}

export function updateSettingValue(db: Db, id: number, values: { value: string; modifiedBy: string; reason: string | null }): Promise<SettingRow | undefined> {
  return db
    .updateTable('app.system_settings')
    .set({ setting_value: values.value, last_modified_by: values.modifiedBy, last_modified_reason: values.reason })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}
