import pg from 'pg'
import type { Config } from '../platform/config.ts'
import { connectDatabase } from '../platform/runtime.ts'
import { migrate } from '../platform/migrate.ts'
import { validateSettingValue, type SettingRule } from '../modules/settings/settings.validation.ts'

type Row = SettingRule & { setting_value: string | null; setting_description: string | null; environment: string }

/** Operator access to settings runs as the owner role through private.operator_* functions. */
async function withOwner<T>(config: Config, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const { ownerUrl, embedded } = await connectDatabase(config, () => undefined)
  try {
    await migrate(ownerUrl)
    const client = new pg.Client({ connectionString: ownerUrl })
    await client.connect()
    try {
      return await fn(client)
    } finally {
      await client.end()
    }
  } finally {
    await embedded?.stop()
  }
}

export async function getSetting(config: Config, key: string | undefined): Promise<void> {
  await withOwner(config, async (client) => {
    const { rows } = await client.query<Row>('select * from private.operator_settings()')
    const selected = key ? rows.filter((row) => row.setting_key === key) : rows
    if (key && selected.length === 0) {
      throw new Error(`unknown setting ${key}`)
    }
    for (const row of selected) {
      process.stdout.write(key ? `${row.setting_value ?? ''}\n` : `${row.setting_key} = ${row.setting_value ?? ''}  (${row.setting_type}${row.is_readonly ? ', read-only' : ''})\n`)
    }
  })
}

export async function setSetting(config: Config, key: string, value: string, reason: string | undefined): Promise<void> {
  await withOwner(config, async (client) => {
    const { rows } = await client.query<Row>('select * from private.operator_settings() where setting_key = $1', [key])
    const row = rows.find((r) => r.environment === 'all') ?? rows[0]
    if (!row) {
      throw new Error(`unknown setting ${key}`)
    }
    let canonical: string
    try {
      canonical = validateSettingValue(row, value)
    } catch (error) {
      throw new Error((error as Error).message)
    }
    await client.query('select private.operator_update_setting($1, $2, $3)', [key, canonical, reason ?? 'changed with tessera settings set'])
    process.stdout.write(`${key} = ${canonical}\n`)
  })
}
