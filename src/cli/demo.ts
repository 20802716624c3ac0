import pg from 'pg'
import type { Config } from '../platform/config.ts'
import { startRuntime } from '../platform/runtime.ts'
import { loadDemo } from '../modules/demo/demo.loader.ts'

export interface DemoCliOptions {
  email?: string
  days: number
  scale: number
  seed?: string
}

/** Parses a whole number option within bounds, or says which option is wrong. */
export function wholeNumber(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max}`)
    }
    return n
  }
}

/** The user the demo is loaded for: --email, or the only instance administrator. Runs as the owner role (an operator lookup). */
async function demoOwner(ownerUrl: string, email: string | undefined): Promise<{ user_id: string; email: string }> {
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ user_id: string; email: string }>('select * from private.operator_demo_owner($1)', [email ?? null])
    if (email !== undefined) {
      if (!rows[0]) throw new Error(`no active user with email ${email}; create one with \`tessera user create\` or sign up first`)
      return rows[0]
    }
    if (rows.length === 0) throw new Error('no instance administrator exists yet; pass --email <user email> (or open Tessera once to create the administrator)')
    if (rows.length > 1) throw new Error(`there are ${rows.length} instance administrators (${rows.map((r) => r.email).join(', ')}); pass --email <user email> to choose`)
    return rows[0]!
  } finally {
    await client.end()
  }
}

const number = new Intl.NumberFormat('en-US')

/** `tessera demo`: loads the demo organization for a user and prints what it wrote and how long it took. */
export async function demoFromCli(config: Config, options: DemoCliOptions): Promise<void> {
  const runtime = await startRuntime(config, { migrate: true, log: () => undefined, poolSize: 4 })
  try {
    const owner = await demoOwner(runtime.ownerUrl, options.email)
    process.stdout.write(`loading ${options.days} days of demo data (scale ${options.scale}) for ${owner.email}\n`)
    // Ctrl+C stops between two transactions and deletes the partly loaded organization.
    const abort = new AbortController()
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal)
      process.once(signal, () => {
        process.stderr.write('stopping after the current batch…\n')
        abort.abort()
      })
    }
    const result = await loadDemo(runtime.services, owner.user_id, {}, {
      signal: abort.signal,
      days: options.days,
      scale: options.scale,
      ...(options.seed !== undefined && { seed: options.seed }),
      // One line per tenth of the days (every day of a short load) keeps long loads visible.
      onProgress: (p) => {
        if (p.day === p.days || p.day % Math.max(1, Math.round(p.days / 10)) === 0) {
          process.stdout.write(`  day ${p.day}/${p.days}: ${number.format(p.metricPoints)} metric points, ${number.format(p.pipelineRecords)} pipeline records\n`)
        }
      },
    })
    const seconds = (result.durationMs / 1000).toFixed(1)
    process.stdout.write(
      `created organization ${result.organizationSlug} (${result.organizationId})\n` +
        result.dashboards.map((d) => `  dashboard ${d.name}: ${config.publicUrl}/orgs/${result.organizationId}/dashboards/${d.id}\n`).join('') +
        `metric points: ${number.format(result.counts.metricPoints)}\n` +
        `pipeline records: ${number.format(result.counts.pipelineRecords)}\n` +
        `duration: ${seconds} s\n`,
    )
  } finally {
    await runtime.close()
  }
}
