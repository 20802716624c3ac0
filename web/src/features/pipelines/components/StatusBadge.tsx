import { STATUS, type Pipeline } from '../api.ts'

/** Active / Paused / Error, with the reason when there is one. */
export function StatusBadge({ pipeline, showReason = true }: { pipeline: Pick<Pipeline, 'status' | 'statusReason'>; showReason?: boolean }) {
  const status = STATUS[pipeline.status]
  return (
    <>
      <span className={`badge badge--${status.tone}`}>{status.label}</span>
      {showReason && pipeline.statusReason ? <span className="muted small status-reason">{pipeline.statusReason}</span> : null}
    </>
  )
}
