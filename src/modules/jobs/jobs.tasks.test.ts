import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { JobHelpers, Task } from 'graphile-worker'
import pino from 'pino'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, uniqueEmail, type TestContext } from '../../../test/app.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { Mailer } from '../../platform/mailer.ts'
import type { Services } from '../../platform/services.ts'
import { buildTasks } from './jobs.tasks.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

/** Runs one task handler the way graphile-worker would; the handlers use no helpers. */
async function runTask(name: string, services: Services = ctx.services): Promise<void> {
  const task: Task | undefined = buildTasks(testRuntime(services, ctx.database, ctx.testDb), pino({ level: 'silent' }))[name]
  if (!task) {
    throw new Error(`no task ${name}`)
  }
  await task({}, {} as JobHelpers)
}

async function insertUser(): Promise<string> {
  const { rows } = await ctx.admin.query<{ id: string }>("insert into auth.users (email, password_hash, display_name) values ($1, 'x', 'Job Test') returning id", [uniqueEmail('job')])
  return rows[0]!.id
}

async function existing(table: string, ids: string[]): Promise<string[]> {
  const { rows } = await ctx.admin.query<{ id: string }>(`select id from ${table} where id = any($1::uuid[]) order by id`, [ids])
  return rows.map((row) => row.id)
}

describe('auth:cleanup', () => {
  it('deletes expired sessions and tokens and nothing else', async () => {
    const userId = await insertUser()
    const session = async (values: string) => {
      const { rows } = await ctx.admin.query<{ id: string }>(
        `insert into auth.sessions (user_id, token_hash, created_at, expires_at, absolute_expires_at, is_active, invalidated_at)
         select $1, $2, ${values} returning id`,
        [userId, randomUUID()],
      )
      return rows[0]!.id
    }
    const expiredIdle = await session("now() - interval '10 days', now() - interval '2 days', now() + interval '20 days', true, null")
    const expiredAbsolute = await session("now() - interval '40 days', now() - interval '30 days', now() - interval '2 days', true, null")
    const revokedLongAgo = await session("now() - interval '10 days', now() + interval '1 day', now() + interval '20 days', false, now() - interval '8 days'")
    const active = await session("now(), now() + interval '1 hour', now() + interval '30 days', true, null")
    const justExpired = await session("now() - interval '2 days', now() - interval '1 hour', now() + interval '20 days', true, null")
    const revokedRecently = await session("now() - interval '2 days', now() + interval '1 day', now() + interval '20 days', false, now() - interval '1 day'")

    const token = async (table: string, expiresIn: string) => {
      const extra = table === 'auth.email_verification_tokens' ? ', email' : ''
      const extraValue = table === 'auth.email_verification_tokens' ? ", 'a@example.com'" : ''
      const { rows } = await ctx.admin.query<{ id: string }>(
        `insert into ${table} (user_id, token_hash, expires_at${extra}) values ($1, $2, now() + interval '${expiresIn}'${extraValue}) returning id`,
        [userId, randomUUID()],
      )
      return rows[0]!.id
    }
    const resetExpired = await token('auth.password_reset_tokens', '-2 days')
    const resetRecent = await token('auth.password_reset_tokens', '-1 hour')
    const resetValid = await token('auth.password_reset_tokens', '1 hour')
    const verifyExpired = await token('auth.email_verification_tokens', '-2 days')
    const verifyValid = await token('auth.email_verification_tokens', '1 day')

    await runTask('auth:cleanup')

    expect(await existing('auth.sessions', [expiredIdle, expiredAbsolute, revokedLongAgo, active, justExpired, revokedRecently])).toEqual(
      [active, justExpired, revokedRecently].sort(),
    )
    expect(await existing('auth.password_reset_tokens', [resetExpired, resetRecent, resetValid])).toEqual([resetRecent, resetValid].sort())
    expect(await existing('auth.email_verification_tokens', [verifyExpired, verifyValid])).toEqual([verifyValid])
    expect(await existing('auth.users', [userId])).toEqual([userId])
  })
})

describe('partitions:maintain', () => {
  it('recreates a missing future monthly partition with Row-Level Security enabled and forced', async () => {
    const { rows } = await ctx.admin.query<{ name: string }>(
      "select 'audit_log_' || to_char(date_trunc('month', now() at time zone 'UTC') + interval '2 months', 'YYYY_MM') as name",
    )
    const name = rows[0]!.name
    await ctx.admin.query(`drop table audit.${name}`)
    await ctx.admin.query('delete from ops.partitions where partition_table = $1', [`audit.${name}`])
    const gone = await ctx.admin.query("select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'audit' and c.relname = $1", [name])
    expect(gone.rowCount).toBe(0)

    await runTask('partitions:maintain')

    const created = await ctx.admin.query<{ relrowsecurity: boolean; relforcerowsecurity: boolean; parent: string }>(
      `select c.relrowsecurity, c.relforcerowsecurity, i.inhparent::regclass::text as parent
         from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_inherits i on i.inhrelid = c.oid
        where n.nspname = 'audit' and c.relname = $1`,
      [name],
    )
    expect(created.rows).toEqual([{ relrowsecurity: true, relforcerowsecurity: true, parent: 'audit.audit_log' }])
    const catalogued = await ctx.admin.query('select state, granularity from ops.partitions where partition_table = $1', [`audit.${name}`])
    expect(catalogued.rows).toEqual([{ state: 'attached', granularity: 'month' }])
  })

  it('keeps a week of daily pipeline_data partitions ahead', async () => {
    const { rows } = await ctx.admin.query<{ name: string }>(
      "select 'pipeline_data_' || to_char(date_trunc('day', now() at time zone 'UTC') + interval '5 days', 'YYYY_MM_DD') as name",
    )
    const name = rows[0]!.name
    await ctx.admin.query(`drop table ingest.${name}`)
    await ctx.admin.query('delete from ops.partitions where partition_table = $1', [`ingest.${name}`])

    await runTask('partitions:maintain')

    const created = await ctx.admin.query<{ relforcerowsecurity: boolean; parent: string }>(
      `select c.relforcerowsecurity, i.inhparent::regclass::text as parent
         from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_inherits i on i.inhrelid = c.oid
        where n.nspname = 'ingest' and c.relname = $1`,
      [name],
    )
    expect(created.rows).toEqual([{ relforcerowsecurity: true, parent: 'ingest.pipeline_data' }])
  })

  it("builds pipeline_data's deferred indexes (GIN, pipeline/time, organization) on partitions whose day is over, never on today's", async () => {
    const { rows } = await ctx.admin.query<{ yesterday: string; today: string }>(
      `select 'pipeline_data_' || to_char(date_trunc('day', now() at time zone 'UTC') - interval '1 day', 'YYYY_MM_DD') as yesterday,
              'pipeline_data_' || to_char(date_trunc('day', now() at time zone 'UTC'), 'YYYY_MM_DD') as today`,
    )
    const { yesterday, today } = rows[0]!
    for (const suffix of ['data_gin', 'pipeline_time', 'team']) {
      await ctx.admin.query(`drop index if exists ingest.${yesterday}_${suffix}`)
    }
    const deferredIndexes = async () =>
      (
        await ctx.admin.query<{ indexname: string; indexdef: string }>(
          "select indexname, indexdef from pg_indexes where schemaname = 'ingest' and tablename = any($1) and indexname not like '%pkey' and indexname not like '%record_time%' and indexdef not like '%USING brin%' order by 1",
          [[yesterday, today]],
        )
      ).rows

    expect(await deferredIndexes()).toEqual([])
    await runTask('partitions:maintain')
    const built = await deferredIndexes()
    expect(built.map((row) => row.indexname)).toEqual([`${yesterday}_data_gin`, `${yesterday}_pipeline_time`, `${yesterday}_team`])
    expect(built[0]!.indexdef).toContain('jsonb_path_ops')
    expect(built[1]!.indexdef).toContain('(pipeline_id, ingested_at DESC)')

    // A containment query on yesterday's rows can use it.
    await ctx.admin.query('set enable_seqscan = off')
    const plan = await ctx.admin.query(`explain select 1 from ingest.${yesterday} where data @> '{"metric": "temperature"}'`)
    await ctx.admin.query('reset enable_seqscan')
    expect(JSON.stringify(plan.rows)).toContain(`${yesterday}_data_gin`)
  })
})

describe('mail:deliver', () => {
  let server: SMTPServer
  let port: number
  const received: Array<{ to: string[]; raw: string }> = []

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('bounce')) {
          callback(new Error('mailbox unavailable'))
          return
        }
        callback()
      },
      onData(stream, session, callback) {
        let raw = ''
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()))
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw })
          callback()
        })
      },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('sends pending outbox mail over SMTP and records sent and failed deliveries', async () => {
    const mailer = new Mailer({ host: '127.0.0.1', port, secure: false, user: undefined, password: undefined }, 'Tessera <tessera@localhost>')
    const services: Services = { ...ctx.services, mailer }
    const to = uniqueEmail('deliver')
    const bounce = uniqueEmail('bounce')
    await mailer.enqueue(ctx.services.db, { to, subject: 'Hello from the outbox', text: 'The body of the message', template: 'test' })
    await mailer.enqueue(ctx.services.db, { to: bounce, subject: 'Will bounce', text: 'Nobody reads this', template: 'test' })
    const old = await ctx.admin.query<{ id: string }>(
      "insert into app.mail_outbox (to_address, subject, body_text, template, status, sent_at, attempts) values ($1, 'Already sent', 'x', 'test', 'sent', now(), 1) returning id",
      [uniqueEmail('old')],
    )

    await runTask('mail:deliver', services)

    expect(received.map((message) => message.to)).toEqual([[to]])
    expect(received[0]?.raw).toContain('Subject: Hello from the outbox')
    expect(received[0]?.raw).toContain('The body of the message')
    const { rows } = await ctx.admin.query<{ to_address: string; status: string; attempts: number; sent_at: Date | null; last_error: string | null }>(
      'select to_address, status, attempts, sent_at, last_error from app.mail_outbox where to_address = any($1) order by subject',
      [[to, bounce]],
    )
    expect(rows).toHaveLength(2)
    const sent = rows.find((row) => row.to_address === to)
    const failed = rows.find((row) => row.to_address === bounce)
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, last_error: null })
    expect(sent?.sent_at).toBeInstanceOf(Date)
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, sent_at: null })
    expect(failed?.last_error).toContain('mailbox unavailable')
    const untouched = await ctx.admin.query('select attempts from app.mail_outbox where id = $1', [old.rows[0]!.id])
    expect(untouched.rows[0]).toEqual({ attempts: 1 })
  })
})
