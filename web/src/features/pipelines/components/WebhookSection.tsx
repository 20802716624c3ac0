import { useState } from 'react'
import { ConfirmButton } from '../../../components/ConfirmButton.tsx'
import { Section } from '../../../components/PageHeader.tsx'
import { pipelinesApi, type Pipeline } from '../api.ts'
import { WebhookUrlPanel } from './WebhookUrlPanel.tsx'

/** The webhook of a realtime pipeline, for senders that can only POST JSON to a URL: its secret is part of the URL. */
export function WebhookSection({ orgId, pipeline, canRotate, onRotated }: { orgId: string; pipeline: Pipeline; canRotate: boolean; onRotated: () => void }) {
  const [url, setUrl] = useState<string | undefined>(undefined)
  const hooksBase = `${window.location.origin}/api/v1/hooks/${pipeline.id}`
  return (
    <Section title="Webhook" id="push-webhook" description="For services that can only POST JSON to a URL. No API key: the secret is part of the URL.">
      <div className="stack wrap-anywhere">
        {url ? (
          <WebhookUrlPanel url={url} title="The new webhook URL" />
        ) : (
          <p className="muted">
            {pipeline.hasWebhook
              ? 'The webhook URL (with its secret) was shown once when the pipeline was created; Tessera keeps only a hash of the secret. If it is lost or leaked, rotate the secret to get a new URL.'
              : 'This pipeline has no webhook secret yet. Rotate the secret to get a webhook URL.'}
          </p>
        )}
        <p>
          Senders that can sign requests may POST to <code>{hooksBase}</code> instead, with <code>X-Tessera-Signature: sha256=&lt;hex HMAC-SHA256 of the body, keyed with the secret&gt;</code>: the secret then never travels.
        </p>
        {canRotate ? (
          <div className="section-block">
            <ConfirmButton
              label="Rotate webhook secret"
              confirmLabel="Rotate: the current URL stops working"
              onConfirm={async () => {
                const result = await pipelinesApi.rotateWebhook(orgId, pipeline.id)
                setUrl(result.webhookUrl)
                onRotated()
              }}
            />
          </div>
        ) : null}
      </div>
    </Section>
  )
}
