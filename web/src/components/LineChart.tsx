/**
 * A small SVG line chart (no charting dependency): one line over time, optional horizontal
 * reference lines (thresholds). The figure carries a text summary for screen readers; the
 * SVG itself is decorative.
 */

export interface LinePoint {
  t: number
  value: number
}

export interface ReferenceLine {
  value: number
  label: string
  tone: 'warning' | 'danger'
}

const W = 640
const H = 220
const PAD = { top: 12, right: 12, bottom: 24, left: 56 }

/** Maps data to SVG coordinates; exported for tests. */
export function scale(points: readonly LinePoint[], refs: readonly ReferenceLine[], from: number, to: number) {
  const values = [...points.map((p) => p.value), ...refs.map((r) => r.value)]
  let lo = Math.min(0, ...values)
  let hi = Math.max(0, ...values)
  if (hi === lo) {
    hi = lo + 1
  }
  const pad = (hi - lo) * 0.05
  lo = lo < 0 ? lo - pad : lo
  hi += pad
  const x = (t: number) => PAD.left + ((t - from) / Math.max(1, to - from)) * (W - PAD.left - PAD.right)
  const y = (v: number) => H - PAD.bottom - ((v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom)
  return { x, y, lo, hi }
}

export function LineChart({ label, points, references = [], from, to, formatValue = String }: { label: string; points: readonly LinePoint[]; references?: readonly ReferenceLine[]; from: number; to: number; formatValue?: (v: number) => string }) {
  const { x, y, lo, hi } = scale(points, references, from, to)
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')
  const last = points[points.length - 1]
  return (
    <figure className="line-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={label}>
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="currentColor" opacity={0.3} />
        <text x={PAD.left - 6} y={y(hi) + 4} textAnchor="end" fontSize="11" fill="currentColor">{formatValue(hi)}</text>
        <text x={PAD.left - 6} y={y(lo) + 4} textAnchor="end" fontSize="11" fill="currentColor">{formatValue(lo)}</text>
        <text x={PAD.left} y={H - 6} fontSize="11" fill="currentColor">{new Date(from).toLocaleString()}</text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end" fontSize="11" fill="currentColor">{new Date(to).toLocaleString()}</text>
        {references.map((ref) => (
          <g key={ref.label}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(ref.value)} y2={y(ref.value)} stroke={ref.tone === 'danger' ? '#c0392b' : '#d68910'} strokeDasharray="4 4" />
            <text x={W - PAD.right} y={y(ref.value) - 4} textAnchor="end" fontSize="11" fill={ref.tone === 'danger' ? '#c0392b' : '#d68910'}>{ref.label}</text>
          </g>
        ))}
        {path ? <path d={path} fill="none" stroke="#2e86de" strokeWidth={2} /> : null}
        {points.length === 1 && last ? <circle cx={x(last.t)} cy={y(last.value)} r={3} fill="#2e86de" /> : null}
      </svg>
      <figcaption className="muted small">
        {points.length === 0 ? 'No points in this range.' : `${points.length} buckets; latest ${formatValue(last!.value)} at ${new Date(last!.t).toLocaleString()}.`}
      </figcaption>
    </figure>
  )
}
