import nodemailer, { type Transporter } from 'nodemailer'
import { sql, type Kysely } from 'kysely'
import type { SmtpConfig } from './config.ts'
import type { DB, Db } from './db.ts'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
  template: string
}

/**
 * Mail goes to app.mail_outbox in the caller's transaction (so it is sent only if the
 * change that caused it commits), then `deliver` sends pending rows through SMTP.
 * Without SMTP, rows stay in the outbox where administrators can read them.
 */
export class Mailer {
  private readonly transport: Transporter | undefined

  constructor(
    smtp: SmtpConfig | undefined,
    private readonly from: string,
  ) {
    this.transport = smtp
      ? nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
          // Loopback test servers and internal relays often use self-signed certificates.
          tls: { rejectUnauthorized: false },
        })
      : undefined
  }

  get configured(): boolean {
    return this.transport !== undefined
  }

  async enqueue(db: Db, message: MailMessage): Promise<void> {
    await db
      .insertInto('app.mail_outbox')
      .values({ to_address: message.to, subject: message.subject, body_text: message.text, body_html: message.html ?? null, template: message.template })
      .execute()
  }

  /** Sends up to `limit` pending messages; returns how many were sent. */
  async deliver(db: Kysely<DB>, limit = 20): Promise<number> {
    if (!this.transport) {
      return 0
    }
    const transport = this.transport
    let sent = 0
    await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string; to_address: string; subject: string; body_text: string; body_html: string | null }>`select id, to_address, subject, body_text, body_html from private.claim_mail(${limit})`.execute(trx)
      for (const row of rows) {
        try {
          await transport.sendMail({ from: this.from, to: row.to_address, subject: row.subject, text: row.body_text, html: row.body_html ?? undefined })
          await sql`select private.mark_mail(${row.id}::uuid, 'sent', null)`.execute(trx)
          sent++
        } catch (error) {
          await sql`select private.mark_mail(${row.id}::uuid, 'failed', ${(error as Error).message.slice(0, 500)})`.execute(trx)
        }
      }
    })
    return sent
  }
}
