import { useState } from 'react'
import { Button } from '../../../components/Button.tsx'
import { ACTIONS_COLUMN, ApiTable } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { SelectField } from '../../../components/Field.tsx'
import { Pager } from '../../../components/Pager.tsx'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import { useApi } from '../../../lib/useApi.ts'
import { pipelinesApi, type Delivery, type DeliveryStatus, type Sink } from '../api.ts'
import { DELIVERY_STATUS } from '../deliveryHealth.ts'

const PAGE_SIZE = 25
const STATUS_OPTIONS = [{ value: '', label: 'All statuses' }, ...(['pending', 'delivering', 'delivered', 'failed'] as const).map((value) => ({ value, label: DELIVERY_STATUS[value].label }))]

/** A sink's deliveries, newest first, filtered by status and paged; failed ones can be retried. */
export function SinkDeliveries({ orgId, pipelineId, sink, writer, onRetried }: { orgId: string; pipelineId: string; sink: Sink; writer: boolean; onRetried: () => void }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('')
  const [offset, setOffset] = useState(0)
  const state = useApi<{ deliveries: Delivery[] }>(`/orgs/${orgId}/pipelines/${pipelineId}/sinks/${sink.id}/deliveries`, { status, limit: PAGE_SIZE, offset })

  return (
    <div className="section-block">
      <div className="filters-row">
        <SelectField
          label="Status"
          name="deliveryStatus"
          value={status}
          onChange={(value) => {
            setStatus(value as DeliveryStatus | '')
            setOffset(0)
          }}
          options={STATUS_OPTIONS}
        />
        <Button variant="ghost" onClick={() => state.reload()}>
          Refresh
        </Button>
      </div>
      <ApiTable
        state={state}
        loadingLabel="Loading deliveries…"
        select={(data) => data.deliveries}
        compact
        rowKey={(delivery) => delivery.id}
        empty={
          <EmptyState title={status === '' ? (offset > 0 ? 'No more deliveries' : 'No deliveries yet') : `No ${DELIVERY_STATUS[status].label.toLowerCase()} deliveries`}>
            {status !== '' ? (
              <Button variant="link" onClick={() => setStatus('')}>
                Show all statuses
              </Button>
            ) : offset > 0 ? (
              <Button variant="link" onClick={() => setOffset(0)}>
                Back to the newest
              </Button>
            ) : (
              'Each batch the pipeline accepts (push, webhook or run) becomes one delivery. Delivered ones are kept 7 days, failed ones 30.'
            )}
          </EmptyState>
        }
        columns={[
          { header: 'Created', className: 'nowrap small', cell: (delivery) => formatDateTime(delivery.createdAt) },
          { header: 'Records', className: 'num-cell', cell: (delivery) => delivery.recordCount.toLocaleString() },
          { header: 'Status', cell: (delivery) => <StatusBadge {...DELIVERY_STATUS[delivery.status]} title={delivery.deliveredAt ? `Delivered ${formatDateTime(delivery.deliveredAt)}` : undefined} /> },
          { header: 'Attempts', className: 'num-cell', cell: (delivery) => delivery.attempts },
          { header: 'Last status code', cell: (delivery) => (delivery.lastStatusCode === null ? '—' : <span className="mono">{delivery.lastStatusCode}</span>) },
          { header: 'Last error', className: 'cell-wrap small', cell: (delivery) => delivery.lastError ?? '—' },
          {
            header: 'Next attempt',
            className: 'nowrap small',
            cell: (delivery) => (delivery.nextAttemptAt && (delivery.status === 'pending' || delivery.status === 'delivering') ? <span title={formatDateTime(delivery.nextAttemptAt)}>{formatRelative(delivery.nextAttemptAt)}</span> : '—'),
          },
          {
            ...ACTIONS_COLUMN,
            cell: (delivery) =>
              writer && delivery.status === 'failed' ? (
                <RetryButton
                  onRetry={async () => {
                    await pipelinesApi.retryDelivery(orgId, pipelineId, sink.id, delivery.id)
                    state.reload()
                    onRetried()
                  }}
                />
              ) : null,
          },
        ]}
        footer={(data) => (
          <Pager
            label="Delivery pages"
            previousLabel="Newer"
            nextLabel="Older"
            canPrevious={offset > 0}
            canNext={data.deliveries.length === PAGE_SIZE}
            onPrevious={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            onNext={() => setOffset(offset + PAGE_SIZE)}
          >
            {offset + 1}–{offset + data.deliveries.length}
          </Pager>
        )}
      />
    </div>
  )
}

function RetryButton({ onRetry }: { onRetry: () => Promise<void> }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  return (
    <span className="confirm">
      <Button
        variant="secondary"
        className="btn--small"
        busy={busy}
        busyLabel="Retrying…"
        onClick={() => {
          setBusy(true)
          setError(undefined)
          onRetry()
            .catch((caught: unknown) => setError(errorMessage(caught)))
            .finally(() => setBusy(false))
        }}
      >
        Retry
      </Button>
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  )
}
