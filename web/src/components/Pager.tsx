import type { ReactNode } from 'react'
import { Button } from './Button.tsx'

/** Previous and next buttons around where the reader is; `label` names the landmark ("User pages"). */
export function Pager({
  label,
  previousLabel,
  nextLabel,
  canPrevious,
  canNext,
  onPrevious,
  onNext,
  children,
}: {
  label: string
  previousLabel: string
  nextLabel: string
  canPrevious: boolean
  canNext: boolean
  onPrevious: () => void
  onNext: () => void
  children: ReactNode
}) {
  return (
    <nav className="pager" aria-label={label}>
      <Button variant="secondary" disabled={!canPrevious} onClick={onPrevious}>
        {previousLabel}
      </Button>
      <span className="muted">{children}</span>
      <Button variant="secondary" disabled={!canNext} onClick={onNext}>
        {nextLabel}
      </Button>
    </nav>
  )
}

/** Pages of `pageSize` walked by offset, with "21–40 of 95" between the buttons. */
export function OffsetPager({
  label,
  previousLabel,
  nextLabel,
  offset,
  pageSize,
  shown,
  total,
  onOffsetChange,
}: {
  label: string
  previousLabel: string
  nextLabel: string
  offset: number
  pageSize: number
  /** Rows on this page. */
  shown: number
  total: number
  onOffsetChange: (offset: number) => void
}) {
  return (
    <Pager
      label={label}
      previousLabel={previousLabel}
      nextLabel={nextLabel}
      canPrevious={offset > 0}
      canNext={offset + shown < total}
      onPrevious={() => onOffsetChange(Math.max(0, offset - pageSize))}
      onNext={() => onOffsetChange(offset + pageSize)}
    >
      {offset + 1}–{offset + shown} of {total}
    </Pager>
  )
}
