import { CodeBlock } from '../../../components/CodeBlock.tsx'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import type { Sink } from '../api.ts'
import { deliveryHealth } from '../deliveryHealth.ts'

/** The badge, what waits, the last delivery and the last error of one sink, for its row in the sinks table. */
export function SinkDeliveryState({ sink }: { sink: Sink }) {
  const health = deliveryHealth(sink)
  const state = sink.delivery
  return (
    <div className="delivery-state">
      <StatusBadge label={health.label} tone={health.tone} title={health.description} />
      <span className="visually-hidden">{health.description}</span>
      <span className="muted small">
        {state.pending > 0 ? `${state.pending} pending · ` : ''}
        {state.lastDeliveredAt ? <span title={formatDateTime(state.lastDeliveredAt)}>delivered {formatRelative(state.lastDeliveredAt)}</span> : 'never delivered'}
        {` · ${state.recordsDelivered.toLocaleString()} records`}
        {state.recordsFailed > 0 ? `, ${state.recordsFailed.toLocaleString()} failed` : ''}
      </span>
      {state.lastError ? (
        <span className="delivery-error small" title={state.lastErrorAt ? formatDateTime(state.lastErrorAt) : undefined}>
          Last error{state.lastErrorAt ? ` (${formatRelative(state.lastErrorAt)})` : ''}: {state.lastError}
        </span>
      ) : null}
    </div>
  )
}

const VERIFY_SAMPLE = `import { createHmac, timingSafeEqual } from 'node:crypto'

// rawBody: the request body exactly as received (before JSON.parse)
function verify(rawBody, headers, secret) {
  const timestamp = headers['x-tessera-timestamp']
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false // replayed
  const expected = 'sha256=' + createHmac('sha256', secret).update(\`\${timestamp}.\${rawBody}\`).digest('hex')
  const given = String(headers['x-tessera-signature'] ?? '')
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}
// Deliveries are at least once: skip an X-Tessera-Delivery id you have already processed.`

/** How a webhook receiver checks that a delivery came from Tessera (docs/sink-delivery.md). */
export function SignatureHelp() {
  return (
    <details className="expression-help signature-help">
      <summary>How receivers verify webhook signatures</summary>
      <p>
        Each POST carries <code>X-Tessera-Signature: sha256=…</code>, the hex HMAC-SHA256 of <code>{'<X-Tessera-Timestamp>.<raw body>'}</code> keyed with the sink’s signing secret,
        plus <code>X-Tessera-Delivery</code> (the same id across retries of one batch) and <code>X-Tessera-Attempt</code>. Reject old timestamps to stop replays.
      </p>
      <CodeBlock label="Signature check in Node.js" code={VERIFY_SAMPLE} />
    </details>
  )
}
