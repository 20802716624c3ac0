import { Fragment, useState } from 'react'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { OffsetPager } from '../../components/Pager.tsx'
import { capitalize, formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import type { MailMessage } from './api.ts'

const PAGE_SIZE = 25
const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g

/** Mail bodies are plain text; links become anchors so a reset or invitation can be followed from here. */
function Linkified({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN)
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <a key={index} href={part} className="mail-link">
            {part}
          </a>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </>
  )
}

export function PageMailOutbox() {
  const [offset, setOffset] = useState(0)
  const state = useApi<{ messages: MailMessage[]; total: number }>('/admin/mail-outbox', { limit: PAGE_SIZE, offset })
  return (
    <div className="page">
      <PageHeader
        title="Mail outbox"
        description="Email this instance has queued or sent, newest first. Without SMTP configured, messages stay here: open one to follow its link (password resets, invitations, email verification)."
        actions={
          <Button variant="secondary" onClick={state.reload}>
            Refresh
          </Button>
        }
      />
      <Loader state={state} label="Loading mail…">
        {(data) =>
          data.messages.length === 0 ? (
            <div className="card">
              <EmptyState title="No mail yet">Messages appear here when Tessera sends email: invitations, password resets and verification links.</EmptyState>
            </div>
          ) : (
            <>
              <ul className="mail-list">
                {data.messages.map((message) => (
                  <li key={message.id} className="card mail">
                    <details>
                      <summary>
                        <span className="mail-subject">{message.subject}</span>
                        <span className="mail-meta">
                          to <strong>{message.to}</strong> · {formatDateTime(message.createdAt)} ·{' '}
                          <span className={`badge badge--${message.status === 'sent' ? 'success' : message.status === 'failed' ? 'danger' : 'muted'}`}>{capitalize(message.status)}</span>
                          <span className="badge badge--muted">{message.template}</span>
                        </span>
                      </summary>
                      <pre className="mail-body">
                        <Linkified text={message.bodyText} />
                      </pre>
                      {message.lastError ? <p className="field-error">Last delivery error: {message.lastError}</p> : null}
                    </details>
                  </li>
                ))}
              </ul>
              <OffsetPager label="Mail pages" previousLabel="← Newer" nextLabel="Older →" offset={offset} pageSize={PAGE_SIZE} shown={data.messages.length} total={data.total} onOffsetChange={setOffset} />
            </>
          )
        }
      </Loader>
    </div>
  )
}
