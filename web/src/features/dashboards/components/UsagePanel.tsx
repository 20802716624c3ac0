import { useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Loader } from '../../../components/Loading.tsx'
import { ApiError } from '../../../lib/api.ts'
import { formatDateTime } from '../../../lib/format.ts'
import { useApi } from '../../../lib/useApi.ts'
import { Dialog } from './Dialog.tsx'

interface Usage {
  days: number
  totals: { views: number; viewers: number; edits: number; shares: number; exports: number }
  perDay: Array<{ day: string; views: number; viewers: number }>
  viewers: Array<{ user: { id: string; name: string; email: string } | null; views: number; lastViewedAt: string }>
}

const WINDOWS = [7, 30, 90]

/** The usage tab: views per day, who looks at the dashboard, and how often it is edited, shared and exported. */
export function UsagePanel({ orgId, dashboardId, onClose }: { orgId: string; dashboardId: string; onClose: () => void }) {
  const [days, setDays] = useState(30)
  const usage = useApi<Usage>(`/orgs/${orgId}/dashboards/${dashboardId}/usage`, { days })
  const forbidden = usage.error instanceof ApiError && usage.error.status === 403
  return (
    <Dialog title="Usage" onClose={onClose} wide>
      {forbidden ? (
        <Alert tone="info" title="Only editors see usage">
          <p>Ask an owner of this dashboard for edit permission to see who views it.</p>
        </Alert>
      ) : (
        <div className="dash-usage">
          <label className="dash-usage-window">
            Window{' '}
            <select value={days} onChange={(event) => setDays(Number(event.target.value))}>
              {WINDOWS.map((n) => <option key={n} value={n}>Last {n} days</option>)}
            </select>
          </label>
          <Loader state={usage} label="Loading usage…">
            {(data) => {
              const peak = Math.max(1, ...data.perDay.map((d) => d.views))
              return (
                <>
                  <dl className="dash-usage-totals">
                    {(['views', 'viewers', 'edits', 'shares', 'exports'] as const).map((name) => (
                      <div key={name}><dt>{name[0]!.toUpperCase() + name.slice(1)}</dt><dd>{data.totals[name].toLocaleString()}</dd></div>
                    ))}
                  </dl>
                  <h3>Views per day</h3>
                  <ol className="dash-usage-days" aria-label="Views per day">
                    {data.perDay.map((d) => (
                      <li key={d.day} title={`${d.day}: ${d.views} views by ${d.viewers} viewers`}>
                        <span className="dash-usage-bar" style={{ height: `${(d.views / peak) * 100}%` }} />
                      </li>
                    ))}
                  </ol>
                  <h3>Viewers</h3>
                  {data.viewers.length === 0 ? (
                    <p className="muted">Nobody has opened this dashboard in the last {data.days} days.</p>
                  ) : (
                    <table className="table">
                      <thead><tr><th>Viewer</th><th className="num">Views</th><th>Last viewed</th></tr></thead>
                      <tbody>
                        {data.viewers.map((v) => (
                          <tr key={v.user?.id ?? 'anonymous'}>
                            <td>{v.user ? `${v.user.name} (${v.user.email})` : 'Public link or API key'}</td>
                            <td className="num">{v.views.toLocaleString()}</td>
                            <td>{formatDateTime(v.lastViewedAt)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </>
              )
            }}
          </Loader>
        </div>
      )}
    </Dialog>
  )
}
