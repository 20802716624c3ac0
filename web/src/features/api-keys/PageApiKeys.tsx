import { useState } from 'react'
import { Alert } from '../../components/Alert.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
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
        <Loader state={keys} label="Loading API keys…">
          {(data) => {
            const rows = listOf<ApiKey>(data, 'apiKeys')
            if (rows.length === 0) {
              return <EmptyState title="No API keys yet">Create one above for each script or service that needs API access, so each can be revoked on its own.</EmptyState>
            }
            return (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Key</th>
                      <th scope="col">Scopes</th>
                      <th scope="col">Created</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Expires</th>
                      <th scope="col">Status</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((key) => {
                      const status = keyStatus(key)
                      return (
                        <tr key={key.id} className={key.revokedAt ? 'row--muted' : undefined}>
                          <td>{key.name}</td>
                          <td className="mono">{key.prefix}…</td>
                          <td>
                            {key.scopes.map((scope) => (
                              <span key={scope} className="badge">
                                {scope}
                              </span>
                            ))}
                          </td>
                          <td>
                            {formatDate(key.createdAt)}
                            {key.createdByName ? <span className="muted"> by {key.createdByName}</span> : null}
                          </td>
                          <td>{formatRelative(key.lastUsedAt)}</td>
                          <td>{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</td>
                          <td>
                            <span className={`badge badge--${status.tone}`}>{status.label}</span>
                          </td>
                          <td className="cell-actions">
                            {key.revokedAt ? null : (
                              <ConfirmButton
                                label="Revoke"
                                subject={`key ${key.name}`}
                                onConfirm={async () => {
                                  await apiKeysApi.revoke(org.id, key.id)
                                  keys.reload()
                                }}
                              />
                            )}
                          </td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              </div>
            )
          }}
        </Loader>
      </Section>
    </div>
  )
}
