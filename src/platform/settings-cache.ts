import { sql, type Kysely } from 'kysely'
import type { DB } from './db.ts'

/**
 * Typed access to system settings the server needs before anyone signs in (timeouts,
 * lockout). Read through a SECURITY DEFINER function and cached briefly; a write
 * through the API invalidates the cache of the process that made it.
 */
export class SettingsCache {
  private values = new Map<string, { value: string | null; type: string }>()
  private loadedAt = 0

  constructor(
    private readonly db: Kysely<DB>,
    private readonly environment: string,
    private readonly ttlMs = 5_000,
  ) {}

  invalidate(): void {
    this.loadedAt = 0
  }

  private async load(): Promise<void> {
    if (Date.now() - this.loadedAt < this.ttlMs) {
      return
    }
    const rows = await this.db.transaction().execute(async (trx) => {
      await sql`select set_config('app.environment', ${this.environment}, true)`.execute(trx)
      const result = await sql<{ setting_key: string; setting_value: string | null; setting_type: string }>`select * from private.runtime_settings()`.execute(trx)
      return result.rows
    })
    const next = new Map<string, { value: string | null; type: string }>()
    // Environment-specific rows come after 'all' ones and override them.
    for (const row of rows) {
      next.set(row.setting_key, { value: row.setting_value, type: row.setting_type })
    }
    this.values = next
    this.loadedAt = Date.now()
  }

  async integer(key: string, fallback: number): Promise<number> {
    await this.load()
    const raw = this.values.get(key)?.value
    const value = raw == null ? NaN : Number(raw)
    return Number.isInteger(value) ? value : fallback
  }

  async boolean(key: string, fallback: boolean): Promise<boolean> {
    await this.load()
    const raw = this.values.get(key)?.value
    return raw == null ? fallback : raw === 'true'
  }

  async string(key: string, fallback: string): Promise<string> {
    await this.load()
    return this.values.get(key)?.value ?? fallback
  }
}
