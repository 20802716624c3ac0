import { useRef, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { TextField } from '../../components/Field.tsx'
import { Form, FormActions } from '../../components/Form.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { useApi } from '../../lib/useApi.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check } from '../../lib/validate.ts'
import { useAuth } from '../auth/AuthContext.ts'
import { canManage, organizationFrom, orgApi, type Organization } from './api.ts'
import { useOrg } from './OrgLayout.tsx'

export function PageOrganizationSettings() {
  const { org } = useOrg()
  const state = useApi<Organization | { organization: Organization }>(`/orgs/${org.id}`)
  return (
    <div className="page page--narrow">
      <PageHeader title="Organization settings" description={`General settings of ${org.name}.`} />
      <Loader state={state} label="Loading organization…">
        {(data) => {
          const details = organizationFrom(data)
          return (
            <>
              <Section title="General" id="general">
                {canManage(org.role) ? <GeneralForm organization={details} onSaved={state.reload} /> : <ReadOnlyGeneral organization={details} />}
              </Section>
              {org.role === 'owner' ? (
                <Section title="Delete organization" description="Deletes the organization with its teams, API keys, invitations and data. This cannot be undone." id="danger">
                  <DeleteForm organization={details} />
                </Section>
              ) : null}
            </>
          )
        }}
      </Loader>
    </div>
  )
}

function ReadOnlyGeneral({ organization }: { organization: Organization }) {
  return (
    <dl className="details">
      <dt>Name</dt>
      <dd>{organization.name}</dd>
      <dt>Slug</dt>
      <dd className="mono">{organization.slug}</dd>
      <dt>Description</dt>
      <dd>{organization.description ?? '—'}</dd>
      <p className="muted">Only owners and admins can change these settings.</p>
    </dl>
  )
}

function GeneralForm({ organization, onSaved }: { organization: Organization; onSaved: () => void }) {
  const auth = useAuth()
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState(organization.name)
  const [description, setDescription] = useState(organization.description ?? '')
  const [saved, setSaved] = useState(false)

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    setSaved(false)
    check([['name', name.trim() !== '', 'Enter a name']])
    await orgApi.update(organization.id, { name: name.trim(), description: description.trim() === '' ? null : description.trim() })
    setSaved(true)
    onSaved()
    await auth.refresh()
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
      {saved ? <Alert tone="success">Saved.</Alert> : null}
      <TextField label="Name" name="name" value={name} onChange={setName} error={fieldErrors.name} />
      <TextField label="Description" name="description" value={description} onChange={setDescription} error={fieldErrors.description} hint="Optional." />
      <p className="muted">
        Slug: <span className="mono">{organization.slug}</span> (it cannot be changed).
      </p>
      <FormActions busy={busy} busyLabel="Saving…" submitLabel="Save changes" />
    </Form>
  )
}

function DeleteForm({ organization }: { organization: Organization }) {
  const auth = useAuth()
  const navigate = useNavigate()
  const formRef = useRef<HTMLFormElement>(null)
  const [confirmSlug, setConfirmSlug] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['confirmSlug', confirmSlug.trim() === organization.slug, `Type ${organization.slug} to confirm`]])
    await orgApi.remove(organization.id)
    await auth.refresh()
    navigate('/', { replace: true })
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
      <TextField
        label={`Type the slug “${organization.slug}” to confirm`}
        name="confirmSlug"
        value={confirmSlug}
        onChange={setConfirmSlug}
        error={fieldErrors.confirmSlug}
        autoComplete="off"
        className="mono-input"
      />
      <FormActions busy={busy} busyLabel="Deleting…" submitLabel="Delete this organization" variant="danger" />
    </Form>
  )
}
