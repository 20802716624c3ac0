import { useState } from 'react'
import { Alert } from '../../components/Alert.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { ACTIONS_COLUMN, ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { formatDate, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { canManage, listOf } from '../organizations/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { apiKeysApi, type ApiKey, type CreatedApiKey } from './api.ts'
import { CreateApiKeyForm } from './components/CreateApiKeyForm.tsx'
import { NewKeySecret } from './components/NewKeySecret.tsx'

function keyStatus(key: ApiKey): { label: string; tone: string } {
  if (key.revokedAt) {
    return { label: 'Revoked', tone: 'muted' }
  }
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= Date.now()) {
    return { label: 'Expired', tone: 'warning' }
  }
  return { label: 'Active', tone: 'success' }
}

export function PageApiKeys() {
  const { org } = useOrg()
  const manager = canManage(org.role)
  const keys = useApi<unknown>(manager ? `/orgs/${org.id}/api-keys` : null)
  const [created, setCreated] = useState<CreatedApiKey | undefined>(undefined)

  if (!manager) {
    return (
      <div className="page page--narrow">
        <PageHeader title="API keys" />
        <Alert tone="info" title="Only owners and admins manage API keys">
          <p>Ask an owner or admin of {org.name} to create a key for you.</p>
        </Alert>
      </div>
    )
  }

  return (
    <div className="page">
      <PageHeader title="API keys" description={<>Keys let scripts and services call the Tessera API for {org.name} without a browser session. Send them as <code>Authorization: Bearer tsk_…</code>.</>} />
      <Section title="Create a key" id="create-key">
        {created ? (
          <NewKeySecret apiKey={created} onDismiss={() => setCreated(undefined)} />
        ) : (
          <CreateApiKeyForm
            orgId={org.id}
            onCreated={(key) => {
              setCreated(key)
              keys.reload()
            }}
          />
        )}
      </Section>
      <Section title="Keys" id="keys">
        <ApiTable
          state={keys}
          loadingLabel="Loading API keys…"
          select={(data) => listOf<ApiKey>(data, 'apiKeys')}
          empty={<EmptyState title="No API keys yet">Create one above for each script or service that needs API access, so each can be revoked on its own.</EmptyState>}
          rowKey={(key) => key.id}
          rowClassName={(key) => (key.revokedAt ? 'row--muted' : undefined)}
          columns={[
            { header: 'Name', cell: (key) => key.name },
            { header: 'Key', className: 'mono', cell: (key) => `${key.prefix}…` },
            {
              header: 'Scopes',
              cell: (key) =>
                key.scopes.map((scope) => (
                  <span key={scope} className="badge">
                    {scope}
                  </span>
                )),
            },
            {
              header: 'Created',
              cell: (key) => (
                <>
                  {formatDate(key.createdAt)}
                  {key.createdByName ? <span className="muted"> by {key.createdByName}</span> : null}
                </>
              ),
            },
            { header: 'Last used', cell: (key) => formatRelative(key.lastUsedAt) },
            { header: 'Expires', cell: (key) => (key.expiresAt ? formatDate(key.expiresAt) : 'Never') },
            {
              header: 'Status',
              cell: (key) => {
                const status = keyStatus(key)
                return <span className={`badge badge--${status.tone}`}>{status.label}</span>
              },
            },
            {
              ...ACTIONS_COLUMN,
              cell: (key) =>
                key.revokedAt ? null : (
                  <ConfirmButton
                    label="Revoke"
                    subject={`key ${key.name}`}
                    onConfirm={async () => {
                      await apiKeysApi.revoke(org.id, key.id)
                      keys.reload()
                    }}
                  />
                ),
            },
          ]}
        />
      </Section>
    </div>
  )
}
