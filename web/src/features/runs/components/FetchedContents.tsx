import { CopyButton } from '../../../components/CopyButton.tsx'
import { DataTable } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { StatusBadge, type Tone } from '../../../components/StatusBadge.tsx'
import { capitalize } from '../../../lib/format.ts'
import type { FetchedContent, Fetching } from '../api.ts'
import { formatBytes, formatCount, formatDuration, formatRate, shortHash } from '../runFormat.ts'

function contentTone(status: string): Tone {
  const value = status.toLowerCase()
  if (value === 'processed' || value === 'success') {
    return 'success'
  }
  if (value === 'fetched') {
    return 'info'
  }
  if (value === 'processing') {
    return 'running'
  }
  if (value === 'failed' || value === 'error') {
    return 'danger'
  }
  return 'muted'
}

/** The preview pretty-printed when it is whole JSON; a 2 KB cut is shown as it came. */
function prettyPreview(preview: string): string {
  try {
    return JSON.stringify(JSON.parse(preview), null, 2)
  } catch {
    return preview
  }
}

/** The path and query of a page's URL: the host is the same for every page and shows above the table. */
function pathOf(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.pathname}${parsed.search}`
  } catch {
    return url
  }
}

function contentName(content: FetchedContent, index: number): string {
  return content.name ?? `Page ${index + 1}`
}

/** Where a run fetched from: one line per attempt (a retried run fetched more than once). */
export function FetchingSummary({ history }: { history: Fetching[] }) {
  if (history.length === 0) {
    return null
  }
  return (
    <ul className="fetching-list">
      {history.map((fetching, index) => {
        const running = fetching.status === 'InProgress'
        return (
          <li key={fetching.id}>
            <span className="fetching-title">
              {history.length > 1 ? <span className="fetching-attempt">Attempt {index + 1}</span> : null}
              <StatusBadge label={running ? 'Fetching' : capitalize(fetching.status === 'Success' ? 'done' : fetching.status.toLowerCase())} tone={running ? 'running' : fetching.status === 'Success' ? 'success' : fetching.status === 'Failed' ? 'danger' : 'muted'} />
              <span className="mono small fetching-url">{fetching.dataSourceUrl ?? fetching.dataSourceType ?? 'data source'}</span>
            </span>
            {running ? null : (
              <span className="muted small">
                {formatCount(fetching.numberOfContent)} {fetching.numberOfContent === 1 ? 'page' : 'pages'} · {formatBytes(fetching.totalSizeBytes)} in {formatDuration(fetching.fetchingTimeSeconds)}
                {fetching.averageResponseTimeMs !== null ? ` · ${formatCount(fetching.averageResponseTimeMs)} ms per response` : ''}
                {fetching.requestsPerSecond !== null ? ` · ${formatRate(fetching.requestsPerSecond, 'requests')}` : ''}
                {fetching.errorCount > 0 ? ` · ${formatCount(fetching.errorCount)} ${fetching.errorCount === 1 ? 'error' : 'errors'}` : ''}
              </span>
            )}
            {fetching.errorMessage ? <span className="stage-error">{fetching.errorMessage}</span> : null}
          </li>
        )
      })}
    </ul>
  )
}

/** Every page or file a run fetched, with its hash to tell identical fetches apart, and a preview. */
export function FetchedContents({ contents, active }: { contents: FetchedContent[]; active: boolean }) {
  const indexed = contents.map((content, index) => ({ content, name: contentName(content, index) }))
  return (
    <DataTable
      compact
      rows={indexed}
      rowKey={({ content }) => content.id}
      empty={<EmptyState title={active ? 'Nothing fetched yet' : 'Nothing was fetched'}>{active ? 'Pages appear here as the fetching stage reads them.' : 'The run ended before it fetched anything; see its error above.'}</EmptyState>}
      columns={[
        {
          header: 'Name',
          cell: ({ content, name }) => (
            <>
              {name}
              {content.sourceUrl ? (
                <div className="muted small mono content-url" title={content.sourceUrl}>
                  {pathOf(content.sourceUrl)}
                </div>
              ) : null}
            </>
          ),
        },
        { header: 'Type', className: 'small', cell: ({ content }) => content.mimeType ?? content.contentType ?? '—' },
        { header: 'Size', className: 'nowrap num', cell: ({ content }) => formatBytes(content.sizeBytes) },
        {
          header: 'SHA-256',
          className: 'nowrap',
          cell: ({ content, name }) =>
            content.sha256 ? (
              <span className="hash">
                <code title={content.sha256}>{shortHash(content.sha256)}</code>
                <CopyButton value={content.sha256} label={`Copy SHA-256 of ${name}`} />
              </span>
            ) : (
              '—'
            ),
        },
        { header: 'Records', className: 'num', cell: ({ content }) => formatCount(content.recordCount) },
        {
          header: 'Status',
          className: 'nowrap',
          cell: ({ content }) => (
            <>
              <StatusBadge label={capitalize(content.status)} tone={contentTone(content.status)} />
              {content.httpStatus !== null ? <div className="muted small">HTTP {content.httpStatus}{content.responseTimeMs !== null ? ` · ${content.responseTimeMs} ms` : ''}</div> : null}
            </>
          ),
        },
        {
          header: 'Preview',
          cell: ({ content, name }) =>
            content.preview ? (
              <details className="content-preview">
                <summary>
                  Show<span className="visually-hidden"> preview of {name}</span>
                </summary>
                <pre>{prettyPreview(content.preview)}</pre>
              </details>
            ) : (
              <span className="muted">—</span>
            ),
        },
      ]}
    />
  )
}
