import { useState } from 'react'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { capitalize } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import type { Setting } from './api.ts'
import { SettingRow } from './components/SettingRow.tsx'

export function PageSettings() {
  const state = useApi<{ settings: Setting[] }>('/admin/settings')
  const [filter, setFilter] = useState('')
  return (
    <div className="page">
      <PageHeader title="Instance settings" description="Settings for the whole Tessera instance. Every change is validated, kept with its reason and written to the audit log." />
      <div className="toolbar">
        <label htmlFor="settings-filter">Find a setting</label>
        <input id="settings-filter" type="search" value={filter} onChange={(event) => setFilter(event.target.value)} placeholder="name, key or description" />
      </div>
      <Loader state={state} label="Loading settings…">
        {(data) => {
          const needle = filter.trim().toLowerCase()
          const visible = data.settings.filter((setting) => needle === '' || `${setting.name} ${setting.key} ${setting.description ?? ''}`.toLowerCase().includes(needle))
          if (visible.length === 0) {
            return <EmptyState title="No settings match" action={<button type="button" className="btn btn--secondary" onClick={() => setFilter('')}>Clear the search</button>}>Try another word, or clear the search to see every setting.</EmptyState>
          }
          const groups = new Map<string, Setting[]>()
          for (const setting of visible) {
            groups.set(setting.category, [...(groups.get(setting.category) ?? []), setting])
          }
          return [...groups.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([category, settings]) => (
              <Section key={category} title={capitalize(category)} id={`category-${category}`}>
                <div className="settings-list">
                  {settings.map((setting) => (
                    <SettingRow key={`${setting.key}-${setting.environment}`} setting={setting} />
                  ))}
                </div>
              </Section>
            ))
        }}
      </Loader>
    </div>
  )
}
